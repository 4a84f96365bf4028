# Helpers shared by the benchmark scripts; dot-source it. The functions use the caller's $work (a temporary
# directory) and $started (the processes to stop at the end, by PID).

function Get-FreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { return $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

# A client, a gossip and a health port, each free on loopback.
function New-NodePorts { return @{ Client = Get-FreePort; Gossip = Get-FreePort; Health = Get-FreePort } }

# The flags every benchmarked node starts with: its name, its ports on loopback, its data directory, quiet logs;
# $extra (WAL mode, memory limit, seeds) after them.
function Get-NodeArguments([string] $name, [hashtable] $ports, [string] $data, [string[]] $extra = @()) {
    return @("--node-id=$name", "--bind=127.0.0.1:$($ports.Client)", "--gossip=127.0.0.1:$($ports.Gossip)",
        "--health=127.0.0.1:$($ports.Health)", "--data-dir=$data", "--log-level=warn") + $extra
}

function Start-Tracked([string] $file, [string[]] $arguments, [string] $log) {
    $info = [System.Diagnostics.ProcessStartInfo]::new($file)
    foreach ($a in $arguments) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::new()
    $process.StartInfo = $info
    $writer = [System.IO.StreamWriter]::new($log)
    $writer.AutoFlush = $true
    $handler = { if ($null -ne $EventArgs.Data) { $Event.MessageData.WriteLine($EventArgs.Data) } }
    Register-ObjectEvent -InputObject $process -EventName OutputDataReceived -Action $handler -MessageData $writer | Out-Null
    Register-ObjectEvent -InputObject $process -EventName ErrorDataReceived -Action $handler -MessageData $writer | Out-Null
    [void] $process.Start()
    $process.BeginOutputReadLine()
    $process.BeginErrorReadLine()
    $started.Add($process)
    return $process
}

# Stops only processes this script started, by their PID.
function Stop-Tracked([System.Diagnostics.Process] $process, [int] $seconds = 30) {
    if ($process.HasExited) { return }
    & kill -TERM $process.Id
    if (-not $process.WaitForExit($seconds * 1000)) { $process.Kill($true); $process.WaitForExit() }
}

function Wait-Port([int] $port, [int] $seconds = 30) {
    $deadline = [DateTime]::UtcNow.AddSeconds($seconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.Connect('127.0.0.1', $port); return } catch { Start-Sleep -Milliseconds 50 } finally { $client.Dispose() }
    }
    throw "nothing listens on port $port after $seconds s"
}

function Wait-Ready([int] $healthPort, [int] $seconds = 120) {
    $http = [System.Net.Http.HttpClient]::new()
    $http.Timeout = [TimeSpan]::FromSeconds(2)
    $deadline = [DateTime]::UtcNow.AddSeconds($seconds)
    try {
        while ([DateTime]::UtcNow -lt $deadline) {
            try {
                $response = $http.GetAsync("http://127.0.0.1:$healthPort/ready").GetAwaiter().GetResult()
                if ($response.IsSuccessStatusCode) { return }
            }
            catch { }
            Start-Sleep -Milliseconds 20
        }
    }
    finally { $http.Dispose() }
    throw "aegis was not ready after $seconds s"
}

function Invoke-Benchmark([int] $port, [string] $test, [int] $pipeline, [int] $count, [int] $KeepAlive = 1, [int] $Clients = 50, [string[]] $Extra = @()) {
    $csv = & redis-benchmark -h 127.0.0.1 -p $port -t $test -c $Clients -k $KeepAlive -P $pipeline -r 100000 -d 32 -n $count --csv @Extra 2>$null
    if ($LASTEXITCODE -ne 0) { throw "redis-benchmark failed against port $port" }
    # --cluster prints the nodes it found before the CSV.
    $row = $csv | Where-Object { $_ -like '"*' } | ConvertFrom-Csv | Where-Object { $_.test -eq $test.ToUpperInvariant() } | Select-Object -First 1
    return [double] $row.rps
}

# An unmeasured pass of SET and GET, pipelined and not, on the rows' key space: a .NET server (AegisKV, Garnet) takes its
# hot paths through the JIT's tiers here, as a server that has run a while has, and every server starts with the keys in place.
function Invoke-WarmUp([int] $port, [int] $count) {
    foreach ($pipeline in 16, 1) {
        $n = if ($pipeline -eq 1) { [int] ($count / 10) } else { $count }
        & redis-benchmark -h 127.0.0.1 -p $port -t set,get -c 50 -P $pipeline -r 100000 -d 32 -n $n -q 2>$null | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "redis-benchmark warm-up failed against port $port" }
    }
}

# A redis-benchmark run of one command line of its own (e.g. an EVAL); its ops/s.
function Invoke-CommandBenchmark([int] $port, [int] $count, [string[]] $command) {
    $csv = & redis-benchmark -h 127.0.0.1 -p $port -c 50 -r 100000 -n $count --csv @command 2>$null
    if ($LASTEXITCODE -ne 0) { throw "redis-benchmark failed against port $port" }
    $row = $csv | Where-Object { $_ -like '"*' } | ConvertFrom-Csv | Select-Object -First 1
    return [double] $row.rps
}

function Get-RssBytes([int] $processId) {
    $line = Get-Content "/proc/$processId/status" | Where-Object { $_ -like 'VmRSS:*' }
    return [long] (($line -split '\s+')[1]) * 1024
}

# One redis-benchmark run; its CSV row (rps and latency percentiles in ms).
function Invoke-BenchmarkRow([int] $port, [string] $test, [int] $pipeline, [int] $count, [int] $Clients = 50, [string[]] $Extra = @()) {
    $csv = & redis-benchmark -h 127.0.0.1 -p $port -t $test -c $Clients -P $pipeline -r 100000 -d 32 -n $count --csv @Extra 2>$null
    if ($LASTEXITCODE -ne 0) { throw "redis-benchmark failed against port $port" }
    # MSET's row is named "MSET (10 keys)".
    $name = $test.ToUpperInvariant()
    return $csv | Where-Object { $_ -like '"*' } | ConvertFrom-Csv | Where-Object { $_.test -eq $name -or $_.test -like "$name (*" } | Select-Object -First 1
}

# CPU time, in microseconds, the given processes have used so far.
function Get-CpuMicroseconds([System.Diagnostics.Process[]] $processes) {
    $total = 0.0
    foreach ($process in $processes) { $process.Refresh(); $total += $process.TotalProcessorTime.TotalMilliseconds * 1000 }
    return $total
}

# redis-benchmark and redis-cli, from apt-get when missing.
function Install-RedisTools {
    foreach ($tool in 'redis-benchmark', 'redis-cli') {
        if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) {
            Write-Host "Installing redis-tools with apt-get"
            & apt-get update -qq
            & apt-get install -y -qq redis-tools | Out-Null
            return
        }
    }
}

# Publishes the aegis of the checkout at $root into $output ($work/bin unless given).
function Publish-Aegis([string] $root, [string] $configuration, [string] $output = (Join-Path $work 'bin')) {
    Write-Host "Publishing aegis ($configuration) from $root"
    & dotnet publish (Join-Path $root 'src/AegisKV.Server') -c $configuration -o $output --nologo -v q | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'dotnet publish failed' }
}

# Until every shard runs somewhere (and serves, with -Serving) and none has moved for a few seconds; returns the
# shards per node.
function Wait-Placed([int] $healthPort, [int] $seconds = 180, [switch] $Serving) {
    $http = [System.Net.Http.HttpClient]::new()
    $deadline = [DateTime]::UtcNow.AddSeconds($seconds)
    $last = ''
    $stableSince = [DateTime]::UtcNow
    try {
        while ([DateTime]::UtcNow -lt $deadline) {
            $shards = ($http.GetStringAsync("http://127.0.0.1:$healthPort/admin/shards").GetAwaiter().GetResult() | ConvertFrom-Json).shards
            $owners = ($shards | ForEach-Object { "$($_.owner)/$($_.state)" }) -join ','
            $waiting = $shards | Where-Object { -not $_.owner -or ($Serving -and $_.state -ne 'serving') }
            if ($owners -ne $last -or $waiting) { $last = $owners; $stableSince = [DateTime]::UtcNow }
            elseif (([DateTime]::UtcNow - $stableSince).TotalSeconds -ge 5) { return ($shards | Group-Object owner | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', ' }
            Start-Sleep -Milliseconds 500
        }
    }
    finally { $http.Dispose() }
    throw "shards were not placed after $seconds s"
}
