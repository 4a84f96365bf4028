#!/usr/bin/env pwsh
<#
.SYNOPSIS
  AegisKV against redis-server, side by side on this machine, on free loopback ports.
.DESCRIPTION
  Publishes aegis, starts it with --wal=fsync and redis-server with appendonly yes /
  appendfsync always, runs redis-benchmark SET and GET (-c 50, -P 1 and -P 16, -r 100000,
  -d 32), an EVAL of a one-line SET script, and a connection churn (PING with -k 0, aegis RSS before and after) against each in turn, then loads 1,000,000 keys (16-byte keys, 32-byte values) into
  both, restarts aegis and times start-to-ready, and compares aegis RSS with Redis used_memory.
  Prints a table with AegisKV/Redis ratios and writes it to docs/benchmarks.md.
  Linux only; installs redis-server and redis-tools with apt-get when missing.
#>
param(
    [string] $Configuration = 'Release',
    # Shorter runs and 100,000 keys instead of 1,000,000: a smoke test, not figures to publish.
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$work = Join-Path ([System.IO.Path]::GetTempPath()) ("aegis-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$started = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()

$requests = if ($Quick) { 20000 } else { 200000 }
$pipelinedRequests = if ($Quick) { 50000 } else { 1000000 }
$keyCount = if ($Quick) { 50000 } else { 1000000 }
$churnConnections = if ($Quick) { 5000 } else { 200000 }

. (Join-Path $PSScriptRoot 'bench-common.ps1')

function Start-Aegis([string] $data, [hashtable] $ports, [string] $log) {
    $arguments = @("--node-id=bench", "--bind=127.0.0.1:$($ports.Client)", "--gossip=127.0.0.1:$($ports.Gossip)",
        "--health=127.0.0.1:$($ports.Health)", "--data-dir=$data", "--wal=fsync", "--max-memory=0", "--log-level=warn")
    return Start-Tracked (Join-Path $work 'bin/aegis') $arguments $log
}

# A write flood of 1000-byte values over random keys, while sampling the server's RSS; returns the peak.
function Invoke-Flood([int] $port, [int] $processId, [int] $count) {
    $info = [System.Diagnostics.ProcessStartInfo]::new('redis-benchmark')
    foreach ($argument in @('-h', '127.0.0.1', '-p', "$port", '-t', 'set', '-c', '50', '-P', '16', '-d', '1000', '-r', '100000000', '-n', "$count", '-q')) { $info.ArgumentList.Add($argument) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $flood = [System.Diagnostics.Process]::Start($info)
    $drain = $flood.StandardOutput.ReadToEndAsync()
    $peak = 0
    while (-not $flood.WaitForExit(200)) { $peak = [math]::Max($peak, (Get-RssBytes $processId)) }
    $null = $drain.Result
    if ($flood.ExitCode -ne 0) { throw "redis-benchmark flood failed against port $port" }
    return [math]::Max($peak, (Get-RssBytes $processId))
}

try {
    foreach ($tool in 'redis-server', 'redis-benchmark', 'redis-cli') {
        if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) {
            Write-Host "Installing redis-server and redis-tools with apt-get"
            & apt-get update -qq
            & apt-get install -y -qq redis-server redis-tools | Out-Null
            break
        }
    }

    Write-Host "Publishing aegis ($Configuration)"
    & dotnet publish (Join-Path $root 'src/AegisKV.Server') -c $Configuration -o (Join-Path $work 'bin') --nologo -v q | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'dotnet publish failed' }

    # Redis with the durability AegisKV gives by default: every write fsync'd before the reply.
    $redisPort = Get-FreePort
    $redisDir = Join-Path $work 'redis'
    New-Item -ItemType Directory -Path $redisDir | Out-Null
    $redis = Start-Tracked 'redis-server' @('--port', "$redisPort", '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always',
        '--save', '', '--dir', $redisDir, '--protected-mode', 'no') (Join-Path $work 'redis.log')
    Wait-Port $redisPort

    $ports = @{ Client = Get-FreePort; Gossip = Get-FreePort; Health = Get-FreePort }
    $data = Join-Path $work 'aegis-data'
    $aegis = Start-Aegis $data $ports (Join-Path $work 'aegis.log')
    Wait-Ready $ports.Health

    $rows = [System.Collections.Generic.List[object]]::new()
    foreach ($case in @(
            @{ Test = 'set'; Pipeline = 1; Count = $requests; Target = 0.5 },
            @{ Test = 'get'; Pipeline = 1; Count = $requests; Target = 0.5 },
            @{ Test = 'set'; Pipeline = 16; Count = $pipelinedRequests; Target = 0.3 },
            @{ Test = 'get'; Pipeline = 16; Count = $pipelinedRequests; Target = 0.3 })) {
        $name = "$($case.Test.ToUpperInvariant()) -c 50 -P $($case.Pipeline) (ops/s)"
        Write-Host "Running $name"
        $redisRps = Invoke-Benchmark $redisPort $case.Test $case.Pipeline $case.Count
        $aegisRps = Invoke-Benchmark $ports.Client $case.Test $case.Pipeline $case.Count
        $rows.Add([pscustomobject]@{ Test = $name; Redis = [math]::Round($redisRps); AegisKV = [math]::Round($aegisRps)
                Ratio = [math]::Round($aegisRps / $redisRps, 2); Target = ">= $($case.Target)x"; Met = ($aegisRps / $redisRps) -ge $case.Target })
    }

    # A one-line script that writes a key, as EVAL: the scripting path end to end (KeraLua's Lua 5.4 beside Redis's 5.1).
    Write-Host 'Running EVAL'
    $eval = @('EVAL', "return redis.call('SET', KEYS[1], ARGV[1])", '1', 'key:__rand_int__', 'value')
    $redisEval = Invoke-CommandBenchmark $redisPort $requests $eval
    $aegisEval = Invoke-CommandBenchmark $ports.Client $requests $eval
    $rows.Add([pscustomobject]@{ Test = "EVAL of redis.call('SET') -c 50 -P 1 (ops/s)"; Redis = [math]::Round($redisEval); AegisKV = [math]::Round($aegisEval)
            Ratio = [math]::Round($aegisEval / $redisEval, 2); Target = '-'; Met = $null })

    # Connection churn: a new connection for every request, as redis-benchmark -k 0 makes them.
    # AegisKV's RSS after the churn, next to before it, shows whether closed connections leave memory behind.
    Write-Host "Running connection churn ($churnConnections connections)"
    $rssBefore = Get-RssBytes $aegis.Id
    $redisChurn = Invoke-Benchmark $redisPort 'ping_mbulk' 1 $churnConnections -KeepAlive 0 -Clients 20
    $aegisChurn = Invoke-Benchmark $ports.Client 'ping_mbulk' 1 $churnConnections -KeepAlive 0 -Clients 20
    Start-Sleep -Seconds 2
    $rssAfter = Get-RssBytes $aegis.Id
    $rows.Add([pscustomobject]@{ Test = "PING, new connection each -k 0 -c 20 (conn/s)"; Redis = [math]::Round($redisChurn); AegisKV = [math]::Round($aegisChurn)
            Ratio = [math]::Round($aegisChurn / $redisChurn, 2); Target = '-'; Met = $null })
    $rows.Add([pscustomobject]@{ Test = "AegisKV RSS before and after $churnConnections connections (MiB)"; Redis = '-'
            AegisKV = "$([math]::Round($rssBefore / 1MB, 1)) -> $([math]::Round($rssAfter / 1MB, 1))"; Ratio = [math]::Round($rssAfter / $rssBefore, 2); Target = '<= 1.1x'; Met = ($rssAfter / $rssBefore) -le 1.1 })

    # Eviction: a cache node and a Redis with the same limit and policy take three times the limit in writes.
    $limitMb = if ($Quick) { 64 } else { 512 }
    $floodCount = 3 * $limitMb * 1024
    Write-Host "Running a write flood of $floodCount x 1000 bytes past a $limitMb MiB limit (allkeys-lru)"
    $cacheRedisPort = Get-FreePort
    $cacheRedis = Start-Tracked 'redis-server' @('--port', "$cacheRedisPort", '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--maxmemory', "$($limitMb)mb", '--maxmemory-policy', 'allkeys-lru', '--dir', $redisDir, '--protected-mode', 'no') (Join-Path $work 'redis-cache.log')
    Wait-Port $cacheRedisPort
    $cachePorts = @{ Client = Get-FreePort; Gossip = Get-FreePort; Health = Get-FreePort }
    $cacheArguments = @("--node-id=bench-cache", "--bind=127.0.0.1:$($cachePorts.Client)", "--gossip=127.0.0.1:$($cachePorts.Gossip)",
        "--health=127.0.0.1:$($cachePorts.Health)", "--data-dir=$(Join-Path $work 'aegis-cache')", "--wal=write", "--max-memory=$limitMb",
        "--eviction-policy=allkeys-lru", "--log-level=warn")
    $cacheAegis = Start-Tracked (Join-Path $work 'bin/aegis') $cacheArguments (Join-Path $work 'aegis-cache.log')
    Wait-Ready $cachePorts.Health
    $redisPeak = Invoke-Flood $cacheRedisPort $cacheRedis.Id $floodCount
    $aegisPeak = Invoke-Flood $cachePorts.Client $cacheAegis.Id $floodCount
    $evicted = ((& redis-cli -h 127.0.0.1 -p $cachePorts.Client INFO stats) | Where-Object { $_ -like 'evicted_keys:*' }) -replace 'evicted_keys:', ''
    Stop-Tracked $cacheAegis
    Stop-Tracked $cacheRedis
    $rows.Add([pscustomobject]@{ Test = "Peak RSS (MiB), $floodCount writes past --max-memory $limitMb (allkeys-lru; AegisKV evicted $($evicted.Trim()))"
            Redis = [math]::Round($redisPeak / 1MB, 1); AegisKV = [math]::Round($aegisPeak / 1MB, 1); Ratio = [math]::Round($aegisPeak / $redisPeak, 2)
            Target = "AegisKV <= 2x limit"; Met = ($aegisPeak / 1MB) -le 2 * $limitMb })

    # 16-byte keys (key:000000000042) and 32-byte values, as RESP, loaded with redis-cli --pipe.
    Write-Host "Loading $keyCount keys into both"
    $load = Join-Path $work 'load.resp'
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
    [AegisBenchLoad]::Write($load, $keyCount)
    foreach ($port in $redisPort, $ports.Client) {
        & bash -c "redis-cli -h 127.0.0.1 -p $port --pipe < '$load'" | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "loading keys into port $port failed" }
    }
    $aegisKeys = [long] (& redis-cli -h 127.0.0.1 -p $ports.Client DBSIZE)
    $redisInfo = & redis-cli -h 127.0.0.1 -p $redisPort INFO memory
    $redisUsed = [long] (($redisInfo | Where-Object { $_ -like 'used_memory:*' }) -replace 'used_memory:', '')

    # Start-to-ready: a stopped node replays its snapshots and WAL.
    Stop-Tracked $aegis
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $aegis = Start-Aegis $data $ports (Join-Path $work 'aegis-restart.log')
    Wait-Ready $ports.Health 300
    $readySeconds = $clock.Elapsed.TotalSeconds
    $recoveredKeys = [long] (& redis-cli -h 127.0.0.1 -p $ports.Client DBSIZE)
    [GC]::Collect()
    Start-Sleep -Seconds 2
    $aegisRss = Get-RssBytes $aegis.Id

    $rows.Add([pscustomobject]@{ Test = "Start to ready with $keyCount keys (s)"; Redis = '-'; AegisKV = [math]::Round($readySeconds, 2)
            Ratio = '-'; Target = '<= 10 s'; Met = $readySeconds -le 10 })
    $rows.Add([pscustomobject]@{ Test = "Memory for $keyCount keys (MiB): AegisKV RSS vs Redis used_memory"; Redis = [math]::Round($redisUsed / 1MB, 1)
            AegisKV = [math]::Round($aegisRss / 1MB, 1); Ratio = [math]::Round($aegisRss / $redisUsed, 2); Target = '<= 3x'; Met = ($aegisRss / $redisUsed) -le 3 })

    $rows | Format-Table -AutoSize | Out-String | Write-Host
    Write-Host "Keys after load: $aegisKeys; after restart: $recoveredKeys"

    $cpu = ((Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -split ':\s*', 2)[1]
    $machine = "$([Environment]::ProcessorCount) cores ($cpu), $([math]::Round((Get-Content /proc/meminfo | Select-Object -First 1).Split(' ', [StringSplitOptions]::RemoveEmptyEntries)[1] / 1MB)) GiB, $(& uname -sr), .NET $(& dotnet --version), $(& redis-server --version)"
    $table = @('| Test | Redis | AegisKV | AegisKV/Redis | Target | Met |', '|---|---|---|---|---|---|')
    foreach ($row in $rows) { $table += "| $($row.Test) | $($row.Redis) | $($row.AegisKV) | $($row.Ratio) | $($row.Target) | $(if ($null -eq $row.Met) { '-' } elseif ($row.Met) { 'yes' } else { 'no' }) |" }
    $report = @(
        '# Benchmarks', '',
        'AegisKV (`--wal=fsync`) and redis-server (`appendonly yes`, `appendfsync always`) on the same machine in the same run,',
        'each driven by redis-benchmark in turn (`-c 50`, random keys over 100,000, 32-byte values). Produced by',
        '`dotnet pwsh build.ps1 bench`; figures on a 2-core machine are noisy, so compare the ratios.', '',
        "Machine: $machine", '', "Run: $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC$(if ($Quick) { ' (quick: smoke figures only)' })", '') + $table + @('',
        "Keys after load: $aegisKeys; after restart: $recoveredKeys.")
    if (-not $Quick) {
        # Hand-written analysis below "## Notes" survives a new run.
        $path = Join-Path $root 'docs/benchmarks.md'
        $notes = if (Test-Path $path) { $text = Get-Content -Raw $path; $at = $text.IndexOf('## Notes'); if ($at -ge 0) { $text.Substring($at).TrimEnd() } }
        if ($notes) { $report += @('', $notes) }
        Set-Content -Path $path -Value ($report -join "`n")
    }
    else { $report -join "`n" | Write-Host }
}
finally {
    foreach ($process in $started) { Stop-Tracked $process 30 }
    Get-EventSubscriber | Unregister-Event
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
