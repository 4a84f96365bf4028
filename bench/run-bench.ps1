#!/usr/bin/env pwsh
<#
.SYNOPSIS
  AegisKV beside redis-server and Garnet, side by side on this machine, on free loopback ports.
.DESCRIPTION
  Publishes aegis and starts it with --wal=fsync, redis-server with appendonly yes / appendfsync always, and Garnet
  (the garnet-server dotnet tool) with its append-only file committed before each reply (on its RandomAccess device:
  the native one needs a newer glibc than Debian 12's). Runs redis-benchmark
  (-r 100000, -d 32) against each in turn, after an unmeasured warm-up pass of SET and GET on each: SET and GET at -c 50 -P 1, -c 50 -P 16 and -c 1, MSET, an EVAL of a
  one-line SET script, and a connection churn (PING with -k 0); AegisKV's WAL records per fsync during SET -c 50;
  a write flood past --max-memory; then loads 1,000,000 keys (16-byte keys, 32-byte values) into each, restarts
  aegis and times start-to-ready, and compares RSS and WAL bytes per SET. Prints a table with ops/s, p50/p99 and
  ratios, and writes it to docs/benchmarks.md. Linux only; installs redis-server and redis-tools with apt-get
  when missing. -Quick: short runs, 50,000 keys, no Garnet.
#>
param(
    [string] $Configuration = 'Release',
    # Shorter runs and 50,000 keys instead of 1,000,000, without Garnet: a smoke test, not figures to publish.
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$work = Join-Path ([System.IO.Path]::GetTempPath()) ("aegis-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$started = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()

$requests = if ($Quick) { 20000 } else { 200000 }
$singleClientRequests = if ($Quick) { 2000 } else { 30000 }
$pipelinedRequests = if ($Quick) { 50000 } else { 1000000 }
$keyCount = if ($Quick) { 50000 } else { 1000000 }
$churnConnections = if ($Quick) { 5000 } else { 200000 }

. (Join-Path $PSScriptRoot 'bench-common.ps1')
. (Join-Path $PSScriptRoot 'bench-standalone.ps1')

function Start-Aegis([string] $data, [hashtable] $ports, [string] $log) {
    $arguments = Get-NodeArguments 'bench' $ports $data @('--wal=fsync', '--max-memory=0')
    return Start-Tracked $aegisBinary $arguments $log
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

# "ops/s (p50 / p99 ms)" of one CSV row; "-" without one.
function Format-Row($row) {
    if ($null -eq $row) { return '-' }
    return "$([math]::Round([double] $row.rps)) (p50 $($row.p50_latency_ms), p99 $($row.p99_latency_ms) ms)"
}

function Ratio([double] $aegis, $other) { if ($null -eq $other -or [double] $other -eq 0) { return '-' } return [math]::Round($aegis / [double] $other, 2) }

try {
    foreach ($tool in 'redis-server', 'redis-benchmark', 'redis-cli') {
        if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) {
            Write-Host "Installing redis-server and redis-tools with apt-get"
            & apt-get update -qq
            & apt-get install -y -qq redis-server redis-tools | Out-Null
            break
        }
    }

    # The quick run takes the binary the build left (the tests' own); a run for figures publishes its own.
    $aegisBinary = Join-Path $root "src/AegisKV.Server/bin/$Configuration/net10.0/aegis"
    if (-not $Quick -or -not (Test-Path $aegisBinary)) {
        Publish-Aegis $root $Configuration
        $aegisBinary = Join-Path $work 'bin/aegis'
    }

    # Redis with the durability AegisKV gives by default: every write fsync'd before the reply.
    $redisPort = Get-FreePort
    $redisDir = Join-Path $work 'redis'
    New-Item -ItemType Directory -Path $redisDir | Out-Null
    $redis = Start-Tracked 'redis-server' @('--port', "$redisPort", '--bind', '127.0.0.1', '--appendonly', 'yes', '--appendfsync', 'always',
        '--save', '', '--dir', $redisDir, '--protected-mode', 'no') (Join-Path $work 'redis.log')
    Wait-Port $redisPort

    # Garnet likewise: its append-only file committed (and waited for) on every write.
    $garnet = $null
    $garnetPort = $null
    if (-not $Quick) {
        $garnetPort = Get-FreePort
        $garnet = Start-Garnet $garnetPort (Join-Path $work 'garnet-data') (Join-Path $work 'garnet.log')
    }

    $ports = New-NodePorts
    $data = Join-Path $work 'aegis-data'
    $aegis = Start-Aegis $data $ports (Join-Path $work 'aegis.log')
    Wait-Ready $ports.Health

    $warmUp = if ($Quick) { 10000 } else { 300000 }
    Write-Host "Warming up each server ($warmUp pipelined and $($warmUp / 10) single SET and GET each, not measured)"
    foreach ($port in @($redisPort, $garnetPort, $ports.Client)) { if ($port) { Invoke-WarmUp $port $warmUp } }

    $rows = [System.Collections.Generic.List[object]]::new()
    $fsyncNote = ''
    foreach ($case in @(
            @{ Test = 'set'; Pipeline = 1; Clients = 50; Count = $requests; Target = 'Redis'; Goal = 1.0 },
            @{ Test = 'get'; Pipeline = 1; Clients = 50; Count = $requests; Target = 'Garnet'; Goal = 1.0 },
            @{ Test = 'set'; Pipeline = 16; Clients = 50; Count = $pipelinedRequests; Target = 'Redis'; Goal = 0.6 },
            @{ Test = 'get'; Pipeline = 16; Clients = 50; Count = $pipelinedRequests; Target = 'Redis'; Goal = 0.6 },
            @{ Test = 'set'; Pipeline = 1; Clients = 1; Count = $singleClientRequests; Target = 'Redis'; Goal = 1.0 },
            @{ Test = 'get'; Pipeline = 1; Clients = 1; Count = $singleClientRequests; Target = $null; Goal = $null },
            @{ Test = 'mset'; Pipeline = 1; Clients = 50; Count = $requests / 4; Target = $null; Goal = $null })) {
        $name = "$($case.Test.ToUpperInvariant()) -c $($case.Clients) -P $($case.Pipeline)"
        Write-Host "Running $name"
        $redisRow = Invoke-BenchmarkRow $redisPort $case.Test $case.Pipeline $case.Count -Clients $case.Clients
        $garnetRow = if ($garnet) { Invoke-BenchmarkRow $garnetPort $case.Test $case.Pipeline $case.Count -Clients $case.Clients }
        $before = Get-AegisMetrics $ports.Health
        $aegisRow = Invoke-BenchmarkRow $ports.Client $case.Test $case.Pipeline $case.Count -Clients $case.Clients
        $after = Get-AegisMetrics $ports.Health
        $fsyncs = $after['aegis_wal_fsyncs_total'] - $before['aegis_wal_fsyncs_total']
        $records = $after['aegis_wal_records_written_total'] - $before['aegis_wal_records_written_total']
        if ($case.Test -eq 'set' -and $case.Clients -eq 50 -and $case.Pipeline -eq 1 -and $fsyncs -gt 0) {
            $fsyncNote = "WAL records per fsync during SET -c 50 -P 1: $([math]::Round($records / $fsyncs, 1)) ($records records, $fsyncs fsyncs)."
        }
        $aegisRps = [double] $aegisRow.rps
        $versus = if ($case.Target -eq 'Garnet') { $garnetRow } elseif ($case.Target -eq 'Redis') { $redisRow }
        $rows.Add([pscustomobject]@{ Test = "$name (ops/s)"; Redis = Format-Row $redisRow; Garnet = Format-Row $garnetRow; AegisKV = Format-Row $aegisRow
                VsRedis = Ratio $aegisRps $redisRow.rps; VsGarnet = Ratio $aegisRps $garnetRow.rps
                Target = if ($case.Target) { ">= $($case.Goal)x $($case.Target)" } else { '-' }
                Met = if ($case.Target -and $versus) { ($aegisRps / [double] $versus.rps) -ge $case.Goal } else { $null } })
    }

    # A one-line script that writes a key, as EVAL: the scripting path end to end (KeraLua's Lua 5.4 beside Redis's 5.1).
    Write-Host 'Running EVAL'
    $eval = @('EVAL', "return redis.call('SET', KEYS[1], ARGV[1])", '1', 'key:__rand_int__', 'value')
    $redisEval = Invoke-CommandBenchmark $redisPort $requests $eval
    $aegisEval = Invoke-CommandBenchmark $ports.Client $requests $eval
    $rows.Add([pscustomobject]@{ Test = "EVAL of redis.call('SET') -c 50 -P 1 (ops/s)"; Redis = [math]::Round($redisEval); Garnet = '-'; AegisKV = [math]::Round($aegisEval)
            VsRedis = Ratio $aegisEval $redisEval; VsGarnet = '-'; Target = '-'; Met = $null })

    # Connection churn: a new connection for every request, as redis-benchmark -k 0 makes them.
    # AegisKV's RSS after the churn, next to before it, shows whether closed connections leave memory behind.
    Write-Host "Running connection churn ($churnConnections connections)"
    $rssBefore = Get-RssBytes $aegis.Id
    $redisChurn = Invoke-Benchmark $redisPort 'ping_mbulk' 1 $churnConnections -KeepAlive 0 -Clients 20
    $garnetChurn = if ($garnet) { Invoke-Benchmark $garnetPort 'ping_mbulk' 1 $churnConnections -KeepAlive 0 -Clients 20 }
    $aegisChurn = Invoke-Benchmark $ports.Client 'ping_mbulk' 1 $churnConnections -KeepAlive 0 -Clients 20
    Start-Sleep -Seconds 2
    $rssAfter = Get-RssBytes $aegis.Id
    $rows.Add([pscustomobject]@{ Test = "PING, new connection each -k 0 -c 20 (conn/s)"; Redis = [math]::Round($redisChurn)
            Garnet = if ($garnet) { [math]::Round($garnetChurn) } else { '-' }; AegisKV = [math]::Round($aegisChurn)
            VsRedis = Ratio $aegisChurn $redisChurn; VsGarnet = Ratio $aegisChurn $garnetChurn; Target = '-'; Met = $null })
    $rows.Add([pscustomobject]@{ Test = "AegisKV RSS before and after $churnConnections connections (MiB)"; Redis = '-'; Garnet = '-'
            AegisKV = "$([math]::Round($rssBefore / 1MB, 1)) -> $([math]::Round($rssAfter / 1MB, 1))"; VsRedis = '-'; VsGarnet = '-'
            Target = '<= 1.1x before'; Met = ($rssAfter / $rssBefore) -le 1.1 })

    # The quick run leaves the flood to the process tests (EvictionTests), which assert it.
    if (-not $Quick) { $rows.Add((Invoke-EvictionRow)) }

    # 16-byte keys (key:000000000042) and 32-byte values, as RESP, loaded with redis-cli --pipe into each.
    Write-Host "Loading $keyCount keys into each"
    $load = Join-Path $work 'load.resp'
    Write-LoadFile $load $keyCount
    # What the runs above left: the load's own bytes are the difference.
    $walBefore = (Get-AegisMetrics $ports.Health)['aegis_wal_written_bytes_total']
    $servers = @($redisPort, $ports.Client) + $(if ($garnet) { @($garnetPort) } else { @() })
    foreach ($port in $servers) {
        & bash -c "redis-cli -h 127.0.0.1 -p $port --pipe < '$load'" | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "loading keys into port $port failed" }
    }
    $walPerSet = ((Get-AegisMetrics $ports.Health)['aegis_wal_written_bytes_total'] - $walBefore) / $keyCount
    $aegisKeys = [long] (& redis-cli -h 127.0.0.1 -p $ports.Client DBSIZE)
    $redisRss = Get-RssBytes $redis.Id
    $garnetRss = if ($garnet) { Get-RssBytes $garnet.Id }

    # Start-to-ready: a stopped node replays its snapshots and WAL.
    Stop-Tracked $aegis
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $aegis = Start-Aegis $data $ports (Join-Path $work 'aegis-restart.log')
    Wait-Ready $ports.Health 300
    $readySeconds = $clock.Elapsed.TotalSeconds
    $recoveredKeys = [long] (& redis-cli -h 127.0.0.1 -p $ports.Client DBSIZE)
    Start-Sleep -Seconds 2
    $aegisRss = Get-RssBytes $aegis.Id

    $rows.Add([pscustomobject]@{ Test = "Start to ready with $keyCount keys (s)"; Redis = '-'; Garnet = '-'; AegisKV = [math]::Round($readySeconds, 2)
            VsRedis = '-'; VsGarnet = '-'; Target = '<= 2 s'; Met = $readySeconds -le 2 })
    $rows.Add([pscustomobject]@{ Test = "RSS with $keyCount keys (MiB), AegisKV after its restart"; Redis = [math]::Round($redisRss / 1MB, 1)
            Garnet = if ($garnet) { [math]::Round($garnetRss / 1MB, 1) } else { '-' }; AegisKV = [math]::Round($aegisRss / 1MB, 1)
            VsRedis = Ratio $aegisRss $redisRss; VsGarnet = Ratio $aegisRss $garnetRss; Target = '<= 1.5x Redis'; Met = ($aegisRss / $redisRss) -le 1.5 })
    $rows.Add([pscustomobject]@{ Test = "WAL bytes per SET of the $keyCount-key load"; Redis = '-'; Garnet = '-'; AegisKV = [math]::Round($walPerSet, 1)
            VsRedis = '-'; VsGarnet = '-'; Target = '<= 100 B'; Met = $walPerSet -le 100 })

    $rows | Format-Table -AutoSize | Out-String -Width 300 | Write-Host
    Write-Host "Keys after load: $aegisKeys; after restart: $recoveredKeys. $fsyncNote"
    Write-Report $rows "Keys after load: $aegisKeys; after restart: $recoveredKeys. $fsyncNote"
}
finally {
    foreach ($process in $started) { Stop-Tracked $process 30 }
    Get-EventSubscriber | Unregister-Event
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
