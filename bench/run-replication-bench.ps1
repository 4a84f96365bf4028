#!/usr/bin/env pwsh
<#
.SYNOPSIS
  AegisKV with three copies of every shard beside one copy and beside a single node, on this machine, in one table.
.DESCRIPTION
  Publishes aegis and runs redis-benchmark SET and GET (-c 50, -P 1, -r 100000, -d 32) against: one node; three
  nodes with --replication-factor 1; three nodes with --replication-factor 3 (--write-quorum majority). The cluster
  runs use redis-benchmark --cluster (each key sent to the node its shard runs on). All nodes run --wal=fsync on
  free loopback ports and share the machine's cores. Reports ops/s, p50 and p99 latency, and the CPU time all
  aegis processes spent per request. Then failover: on three nodes with three copies and failure detection tuned
  for loopback (docs/replication.md), kill -9 of a node leading shards, and the time from the kill to the first
  write that succeeds on one of its shards and to a write on every one of them, each write sent again after a
  second without an answer (three kills, one with -Quick).
  Prints the tables and writes the replication section of docs/benchmarks.md (not with -Quick).
#>
param(
    [string] $Configuration = 'Release',
    # Shorter runs: a smoke test, not figures to publish.
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$work = Join-Path ([System.IO.Path]::GetTempPath()) ("aegis-replication-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$started = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
. (Join-Path $PSScriptRoot 'bench-common.ps1')

$requests = if ($Quick) { 10000 } else { 100000 }

function Start-Node([string] $name, [hashtable] $ports, [string[]] $seeds, [string[]] $flags) {
    $arguments = Get-NodeArguments $name $ports (Join-Path $work $name) (@('--wal=fsync', '--max-memory=0') + $flags)
    if ($seeds.Count -gt 0) { $arguments += "--seeds=$($seeds -join ',')" }
    return Start-Tracked (Join-Path $work 'bin/aegis') $arguments (Join-Path $work "$name.log")
}

# Each test against one layout: ops/s, latencies and CPU per request of its processes.
function Measure-Layout([string] $layout, [int] $port, [System.Diagnostics.Process[]] $processes, [string[]] $extra) {
    foreach ($test in 'set', 'get') {
        $before = Get-CpuMicroseconds $processes
        $row = Invoke-BenchmarkRow $port $test 1 $requests -Clients 50 -Extra $extra
        $cpu = ((Get-CpuMicroseconds $processes) - $before) / $requests
        $results["$test/$layout"] = [pscustomobject]@{ Rps = [double] $row.rps; P50 = [double] $row.p50_latency_ms; P99 = [double] $row.p99_latency_ms; Cpu = $cpu }
    }
}

# The hash slot of a key without a hash tag: CRC16 (XMODEM) modulo 16384, as Redis Cluster.
function Get-KeySlot([string] $key) {
    $crc = 0
    foreach ($b in [System.Text.Encoding]::UTF8.GetBytes($key)) {
        $crc = $crc -bxor ([int] $b -shl 8)
        for ($i = 0; $i -lt 8; $i++) { $crc = if ($crc -band 0x8000) { (($crc -shl 1) -bxor 0x1021) -band 0xFFFF } else { ($crc -shl 1) -band 0xFFFF } }
    }
    return $crc % 16384
}

function Get-Shards([int] $healthPort) {
    $http = [System.Net.Http.HttpClient]::new()
    try { return ($http.GetStringAsync("http://127.0.0.1:$healthPort/admin/shards").GetAwaiter().GetResult() | ConvertFrom-Json).shards }
    finally { $http.Dispose() }
}

# kill -9 of the node at $victim; one key per shard it led, written through $through until each is acknowledged.
# Returns the seconds from the kill to the first acknowledged write and to the last, and how many shards it led.
function Measure-Failover($cluster, [int] $victim, [int] $through) {
    $name = "failover-$($victim + 1)"
    $keys = @{}
    foreach ($shard in (Get-Shards $cluster.Ports[$through].Health | Where-Object { $_.owner -eq $name })) {
        $first, $last = $shard.slots -split '-' | ForEach-Object { [int] $_ }
        for ($i = 0; -not $keys.ContainsKey($shard.shard); $i++) {
            $key = "failover:$($shard.shard):$i"
            $slot = Get-KeySlot $key
            if ($slot -ge $first -and $slot -le $last) { $keys[$shard.shard] = $key }
        }
    }
    if ($keys.Count -eq 0) { throw "$name leads no shard" }
    $port = $cluster.Ports[$through].Client
    $check = (& redis-cli -h 127.0.0.1 -p $port CLUSTER KEYSLOT ($keys.Values | Select-Object -First 1))
    if ([int] $check -ne (Get-KeySlot ($keys.Values | Select-Object -First 1))) { throw "CLUSTER KEYSLOT says ${check}: the slot function here is wrong" }
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    & kill -KILL $cluster.Nodes[$victim].Id
    $pending = [System.Collections.Generic.List[string]]::new([string[]] $keys.Values)
    $firstWrite = $null
    while ($pending.Count -gt 0) {
        if ($clock.Elapsed.TotalSeconds -gt 120) { throw "$($pending.Count) shards of $name still refuse writes 120 s after the kill" }
        foreach ($key in @($pending)) {
            # A client's own timeout of a second: a request lost with the node is sent again, as clients with a retry policy do.
            $reply = & timeout 1 redis-cli -h 127.0.0.1 -p $port -c SET $key 'after the kill' 2>$null
            if ($reply -eq 'OK') {
                if ($null -eq $firstWrite) { $firstWrite = $clock.Elapsed.TotalSeconds }
                [void] $pending.Remove($key)
            }
        }
        if ($pending.Count -gt 0) { Start-Sleep -Milliseconds 50 }
    }
    return [pscustomobject]@{ First = $firstWrite; All = $clock.Elapsed.TotalSeconds; Shards = $keys.Count; Name = $name }
}

function Start-Cluster([string] $prefix, [string[]] $flags) {
    $ports = @(0..2 | ForEach-Object { New-NodePorts })
    $seeds = @($ports | ForEach-Object { "127.0.0.1:$($_.Gossip)" })
    $nodes = @(0..2 | ForEach-Object { Start-Node "$prefix-$($_ + 1)" $ports[$_] $seeds $flags })
    foreach ($p in $ports) { Wait-Ready $p.Health }
    Wait-Placed $ports[0].Health -Serving | Out-Null
    return [pscustomobject]@{ Ports = $ports; Nodes = $nodes }
}

try {
    Install-RedisTools
    Publish-Aegis $root $Configuration
    $results = @{}

    Write-Host "One node"
    $single = New-NodePorts
    $node = Start-Node 'single' $single @() @()
    Wait-Ready $single.Health
    Measure-Layout 'single' $single.Client @($node) @()
    Stop-Tracked $node

    foreach ($layout in @(@{ Name = 'rf1'; Flags = @('--replication-factor=1') }, @{ Name = 'rf3'; Flags = @('--replication-factor=3', '--write-quorum=majority') })) {
        Write-Host "Three nodes, $($layout.Flags -join ' ')"
        $cluster = Start-Cluster $layout.Name $layout.Flags
        Measure-Layout $layout.Name $cluster.Ports[0].Client $cluster.Nodes @('--cluster')
        foreach ($n in $cluster.Nodes) { Stop-Tracked $n }
    }

    # The performance issue's target for writes: three copies at half a node's rate or better, p99 within 10 ms.
    $table = @('| Test (-c 50) | 1 node | 3 nodes, 1 copy | 3 nodes, 3 copies (W=majority) | 3 copies ÷ 1 node | Target | Met |', '|---|---|---|---|---|---|---|')
    foreach ($test in 'set', 'get') {
        $cells = foreach ($layout in 'single', 'rf1', 'rf3') {
            $r = $results["$test/$layout"]
            "$([math]::Round($r.Rps)) ops/s, p50 $($r.P50) ms, p99 $($r.P99) ms, $([math]::Round($r.Cpu)) CPU-µs/op"
        }
        $ratio = [math]::Round($results["$test/rf3"].Rps / $results["$test/single"].Rps, 2)
        $target = if ($test -eq 'set') { '>= 0.5x, p99 <= 10 ms' } else { '-' }
        $met = if ($test -eq 'set') { if ($ratio -ge 0.5 -and [double] $results['set/rf3'].P99 -le 10) { 'yes' } else { 'no' } } else { '-' }
        $table += "| $($test.ToUpperInvariant()) | $($cells -join ' | ') | $($ratio)x | $target | $met |"
    }
    $table -join "`n" | Write-Host

    Write-Host "Failover: three nodes, three copies, failure detection tuned for loopback"
    $tuned = Join-Path $work 'tuned.conf'
    Set-Content -Path $tuned -Value @(
        'akka.cluster.failure-detector.heartbeat-interval = 200ms', 'akka.cluster.failure-detector.acceptable-heartbeat-pause = 700ms',
        'akka.cluster.split-brain-resolver.stable-after = 700ms', 'akka.cluster.down-removal-margin = 0s', 'akka.cluster.leader-actions-interval = 200ms',
        'akka.cluster.gossip-interval = 200ms', 'akka.cluster.singleton.hand-over-retry-interval = 200ms',
        'akka.cluster.sharding.coordinator-failure-backoff = 200ms', 'akka.cluster.sharding.retry-interval = 200ms', 'aegis.replication.lease = 1s')
    $failover = Start-Cluster 'failover' @('--replication-factor=3', "--config=$tuned")
    $kills = [System.Collections.Generic.List[object]]::new()
    foreach ($victim in @(if ($Quick) { 2 } else { 2, 1, 0 })) {
        $through = ($victim + 1) % 3
        $kill = Measure-Failover $failover $victim $through
        $kills.Add($kill)
        Write-Host ("kill -9 {0} (leading {1} of 64 shards): first write after {2:0.0} s, every shard after {3:0.0} s" -f $kill.Name, $kill.Shards, $kill.First, $kill.All)
        # Back with its data, and every shard serving again, before the next kill.
        $failover.Nodes[$victim] = Start-Node $kill.Name $failover.Ports[$victim] @($failover.Ports | ForEach-Object { "127.0.0.1:$($_.Gossip)" }) @('--replication-factor=3', "--config=$tuned")
        Wait-Ready $failover.Ports[$victim].Health
        Wait-Placed $failover.Ports[$through].Health -Serving | Out-Null
    }
    foreach ($n in $failover.Nodes) { Stop-Tracked $n }
    $failoverTable = @('| kill -9 of | shards it led | first write on one of them | a write on every one |', '|---|---|---|---|') +
        @($kills | ForEach-Object { "| $($_.Name) | $($_.Shards) of 64 | $('{0:0.0}' -f $_.First) s | $('{0:0.0}' -f $_.All) s |" })
    $failoverTable -join "`n" | Write-Host

    $cpu = ((Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -split ':\s*', 2)[1]
    $section = @('## Replication: three copies beside one', '',
        'AegisKV (`--wal=fsync`, 64 shards) on one node, then three nodes with one copy of each shard, then three nodes',
        'with three copies (`--replication-factor 3`, `--write-quorum majority`: a write is acknowledged once two of the',
        'three hold it durably). redis-benchmark, 50 clients, no pipelining, random keys over 100,000, 32-byte values; the',
        'cluster runs use `--cluster` (each key to the node its shard runs on). CPU-µs/op is the CPU time of every aegis',
        'process divided by the requests. All nodes share the same cores. Produced by `dotnet pwsh build.ps1 bench` after the
table above (or alone by `dotnet pwsh build.ps1 bench-replication`).', '',
        "Machine: $([Environment]::ProcessorCount) cores ($cpu), .NET $(& dotnet --version).", '',
        "Run: $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC$(if ($Quick) { ' (quick: smoke figures only)' })", '') + $table + @('',
        '### Failover', '',
        'Three nodes with three copies, failure detection tuned for loopback as in [replication.md](replication.md#failover-time)',
        '(heartbeats every 200 ms, 700 ms pause tolerance, the Split Brain Resolver''s `stable-after` 700 ms, a 1 s read',
        'lease). A node leading shards gets kill -9 while one key per shard it led is written through another node, again',
        'until acknowledged (each attempt given a second, as a client with a retry policy): the time from the kill to the',
        'first acknowledged write, and to the last. After each kill the node comes back with its data, and the next kill',
        'waits until every shard serves again.', '') + $failoverTable
    if (-not $Quick) {
        $path = Join-Path $root 'docs/benchmarks.md'
        $text = Get-Content -Raw $path
        $marker = '## Replication: three copies beside one'
        $at = $text.IndexOf($marker)
        if ($at -ge 0) {
            $next = $text.IndexOf("`n## ", $at + $marker.Length)
            $text = $text.Substring(0, $at) + ($section -join "`n") + "`n" + $(if ($next -ge 0) { $text.Substring($next) } else { '' })
        }
        else { $text = $text.TrimEnd() + "`n`n" + ($section -join "`n") + "`n" }
        Set-Content -Path $path -Value $text.TrimEnd() -NoNewline
    }
}
finally {
    foreach ($process in $started) { Stop-Tracked $process 30 }
    Get-EventSubscriber | Unregister-Event
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
