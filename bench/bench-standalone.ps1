# Helpers of run-bench.ps1 (one node beside Redis and Garnet); dot-source it after bench-common.ps1. The functions
# use the caller's $work and $started, as bench-common.ps1's do.

# Garnet from its dotnet tool, with its append-only file committed, and waited for, on every write: the durability
# redis-server gets from appendfsync always and AegisKV from --wal=fsync.
function Start-Garnet([int] $port, [string] $directory, [string] $log) {
    $tools = Join-Path $work 'garnet'
    Write-Host 'Installing garnet-server (dotnet tool)'
    & dotnet tool install garnet-server --tool-path $tools | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'dotnet tool install garnet-server failed' }
    New-Item -ItemType Directory -Path $directory | Out-Null
    # Garnet's native storage device needs glibc 2.38 (Debian 12 has 2.36): its .NET RandomAccess device instead.
    $garnet = Start-Tracked (Join-Path $tools 'garnet-server') @('--port', "$port", '--bind', '127.0.0.1', '--aof', '--aof-commit-freq', '0',
        '--aof-commit-wait', '--checkpointdir', $directory, '--device-type', 'RandomAccess') $log
    Wait-Port $port
    return $garnet
}

# AegisKV's own unlabelled series from its /metrics, by name.
function Get-AegisMetrics([int] $healthPort) {
    $http = [System.Net.Http.HttpClient]::new()
    try {
        $values = @{}
        foreach ($line in $http.GetStringAsync("http://127.0.0.1:$healthPort/metrics").GetAwaiter().GetResult() -split "`n") {
            $parts = $line -split ' '
            if ($parts.Count -eq 2 -and $parts[0] -like 'aegis_*') { $values[$parts[0]] = [double]::Parse($parts[1], [cultureinfo]::InvariantCulture) }
        }
        return $values
    }
    finally { $http.Dispose() }
}

# A cache node and a Redis with the same limit and policy take three times the limit in writes; the row of their peak RSS.
function Invoke-EvictionRow {
    $limitMb = if ($Quick) { 64 } else { 512 }
    $floodCount = 3 * $limitMb * 1024
    Write-Host "Running a write flood of $floodCount x 1000 bytes past a $limitMb MiB limit (allkeys-lru)"
    $cacheRedisPort = Get-FreePort
    $cacheRedis = Start-Tracked 'redis-server' @('--port', "$cacheRedisPort", '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--maxmemory', "$($limitMb)mb", '--maxmemory-policy', 'allkeys-lru', '--dir', $work, '--protected-mode', 'no') (Join-Path $work 'redis-cache.log')
    Wait-Port $cacheRedisPort
    $cachePorts = New-NodePorts
    $cacheArguments = Get-NodeArguments 'bench-cache' $cachePorts (Join-Path $work 'aegis-cache') @('--wal=write', "--max-memory=$limitMb",
        '--eviction-policy=allkeys-lru')
    $cacheAegis = Start-Tracked $aegisBinary $cacheArguments (Join-Path $work 'aegis-cache.log')
    Wait-Ready $cachePorts.Health
    $redisPeak = Invoke-Flood $cacheRedisPort $cacheRedis.Id $floodCount
    $aegisPeak = Invoke-Flood $cachePorts.Client $cacheAegis.Id $floodCount
    $evicted = ((& redis-cli -h 127.0.0.1 -p $cachePorts.Client INFO stats) | Where-Object { $_ -like 'evicted_keys:*' }) -replace 'evicted_keys:', ''
    Stop-Tracked $cacheAegis
    Stop-Tracked $cacheRedis
    return [pscustomobject]@{ Test = "Peak RSS (MiB), $floodCount writes past --max-memory $limitMb (allkeys-lru; AegisKV evicted $($evicted.Trim()))"
        Redis = [math]::Round($redisPeak / 1MB, 1); Garnet = '-'; AegisKV = [math]::Round($aegisPeak / 1MB, 1); VsRedis = [math]::Round($aegisPeak / $redisPeak, 2)
        VsGarnet = '-'; Target = "AegisKV <= 2x limit"; Met = ($aegisPeak / 1MB) -le 2 * $limitMb }
}

# SET key:000000000042 (16 bytes) to a 32-byte value, $count times, as RESP for redis-cli --pipe.
function Write-LoadFile([string] $path, [int] $count) {
    Add-Type -TypeDefinition @'
public static class AegisBenchLoad
{
    public static void Write(string path, int count)
    {
        using var file = new System.IO.BufferedStream(System.IO.File.Create(path), 1 << 20);
        var value = new string('v', 32);
        for (var i = 0; i < count; i++)
        {
            var command = $"*3\r\n$3\r\nSET\r\n$16\r\nkey:{i:D12}\r\n$32\r\n{value}\r\n";
            file.Write(System.Text.Encoding.ASCII.GetBytes(command));
        }
    }
}
'@
    [AegisBenchLoad]::Write($path, $count)
}

# The table, to the console for -Quick and to docs/benchmarks.md (keeping its hand-written notes) otherwise.
function Write-Report($rows, [string] $summary) {
    $cpu = ((Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -split ':\s*', 2)[1]
    $garnetVersion = if (Test-Path (Join-Path $work 'garnet')) { ", Garnet $((& dotnet tool list --tool-path (Join-Path $work 'garnet') | Select-Object -Skip 2 | Select-Object -First 1) -split '\s+' | Select-Object -Index 1)" } else { '' }
    $machine = "$([Environment]::ProcessorCount) cores ($cpu), $([math]::Round((Get-Content /proc/meminfo | Select-Object -First 1).Split(' ', [StringSplitOptions]::RemoveEmptyEntries)[1] / 1MB)) GiB, $(& uname -sr), .NET $(& dotnet --version), $(& redis-server --version)$garnetVersion"
    $table = @('| Test | Redis | Garnet | AegisKV | AegisKV/Redis | AegisKV/Garnet | Target | Met |', '|---|---|---|---|---|---|---|---|')
    foreach ($row in $rows) {
        $met = if ($null -eq $row.Met) { '-' } elseif ($row.Met) { 'yes' } else { 'no' }
        $table += "| $($row.Test) | $($row.Redis) | $($row.Garnet) | $($row.AegisKV) | $($row.VsRedis) | $($row.VsGarnet) | $($row.Target) | $met |"
    }
    $report = @(
        '# Benchmarks', '',
        'AegisKV (`--wal=fsync`), redis-server (`appendonly yes`, `appendfsync always`) and Garnet (`--aof --aof-commit-freq 0',
        '--aof-commit-wait --device-type RandomAccess`) on the same machine in the same run, each driven by redis-benchmark in turn (random keys over',
        '100,000, 32-byte values); ops/s with p50 and p99 latency. Produced by `dotnet pwsh build.ps1 bench`; figures on a',
        '2-core machine are noisy, so compare the ratios.', '',
        "Machine: $machine", '', "Run: $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC$(if ($Quick) { ' (quick: smoke figures only)' })", '') + $table + @('', $summary)
    if (-not $Quick) {
        # Hand-written analysis below "## Notes" survives a new run.
        $path = Join-Path $root 'docs/benchmarks.md'
        $notes = if (Test-Path $path) { $text = Get-Content -Raw $path; $at = $text.IndexOf('## Notes'); if ($at -ge 0) { $text.Substring($at).TrimEnd() } }
        if ($notes) { $report += @('', $notes) }
        Set-Content -Path $path -Value ($report -join "`n")
    }
    else { $report -join "`n" | Write-Host }
}
