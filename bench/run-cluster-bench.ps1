#!/usr/bin/env pwsh
<#
.SYNOPSIS
  AegisKV on one node beside a 3-node cluster on this machine, in one table.
.DESCRIPTION
  Publishes aegis and runs redis-benchmark SET and GET (-c 48, -P 1 and -P 16, -r 100000, -d 32) against:
  a single node; a 3-node cluster with every client on one node (the others' shards are reached through it);
  the same cluster with the clients spread over the three nodes; and redis-benchmark --cluster, which reads the
  slot map (CLUSTER NODES) and sends each key to the node its shard runs on. All nodes run --wal=fsync on free
  loopback ports. Three nodes share the machine's cores, so the cluster figures show the cost of the hops, not
  the gain of more machines. Last, the three nodes again with node-to-node TLS (--cluster-tls-cert/-key/-ca, a CA
  and node certificate made with openssl), every client on one node: what TLS costs the forwarded requests.
  Prints the table and writes docs/benchmarks-cluster.md (not with -Quick).
#>
param(
    [string] $Configuration = 'Release',
    # Shorter runs: a smoke test, not figures to publish.
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$work = Join-Path ([System.IO.Path]::GetTempPath()) ("aegis-cluster-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$started = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
. (Join-Path $PSScriptRoot 'bench-common.ps1')

$requests = if ($Quick) { 10000 } else { 100000 }
$pipelinedRequests = if ($Quick) { 50000 } else { 500000 }

function Start-Node([int] $index, [hashtable[]] $all, [string[]] $seeds, [string] $name = 'node', [string[]] $Extra = @()) {
    $ports = $all[$index]
    $arguments = Get-NodeArguments "bench-$($index + 1)" $ports (Join-Path $work "$name-$($index + 1)") (@('--wal=fsync', '--max-memory=0') + $Extra)
    if ($seeds.Count -gt 0) { $arguments += "--seeds=$($seeds -join ',')" }
    return Start-Tracked (Join-Path $work 'bin/aegis') $arguments (Join-Path $work "$name-$($index + 1).log")
}

function Start-Cluster([string] $name, [string[]] $Extra = @()) {
    $ports = @(0..2 | ForEach-Object { New-NodePorts })
    $seeds = @($ports | ForEach-Object { "127.0.0.1:$($_.Gossip)" })
    $nodes = @(0..2 | ForEach-Object { Start-Node $_ $ports $seeds $name -Extra $Extra })
    foreach ($p in $ports) { Wait-Ready $p.Health }
    $placement = Wait-Placed $ports[0].Health
    return @{ Ports = $ports; Nodes = $nodes; Placement = $placement }
}

# A private CA and one certificate for every node (a node's certificate only has to chain to the cluster CA).
function New-ClusterCertificates {
    $dir = New-Item -ItemType Directory -Path (Join-Path $work 'tls')
    $ca, $caKey, $crt, $key, $csr = 'ca.crt', 'ca.key', 'node.crt', 'node.key', 'node.csr' | ForEach-Object { Join-Path $dir $_ }
    & openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $caKey -out $ca -days 2 -subj '/CN=bench-ca' 2>$null
    & openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $key -out $csr -subj '/CN=bench-node' 2>$null
    & openssl x509 -req -in $csr -CA $ca -CAkey $caKey -CAcreateserial -out $crt -days 2 2>$null
    if ($LASTEXITCODE -ne 0) { throw 'openssl could not make the cluster certificates' }
    & chmod 600 $key $caKey
    return @("--cluster-tls-cert=$crt", "--cluster-tls-key=$key", "--cluster-tls-ca=$ca")
}

# redis-benchmark against each port at once, the clients split between them; the sum of their rates.
function Invoke-Spread([int[]] $ports, [string] $test, [int] $pipeline, [int] $count) {
    $runs = foreach ($port in $ports) {
        $info = [System.Diagnostics.ProcessStartInfo]::new('redis-benchmark')
        foreach ($a in @('-h', '127.0.0.1', '-p', "$port", '-t', $test, '-c', "$([int](48 / $ports.Count))", '-P', "$pipeline", '-r', '100000', '-d', '32', '-n', "$([int]($count / $ports.Count))", '--csv')) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($info)
        [pscustomobject]@{ Process = $process; Output = $process.StandardOutput.ReadToEndAsync() }
    }
    $total = 0.0
    foreach ($run in $runs) {
        $run.Process.WaitForExit()
        if ($run.Process.ExitCode -ne 0) { throw "redis-benchmark failed in the spread run" }
        $row = $run.Output.Result -split "`n" | ConvertFrom-Csv | Where-Object { $_.test -eq $test.ToUpperInvariant() } | Select-Object -First 1
        $total += [double] $row.rps
    }
    return $total
}

try {
    Install-RedisTools
    Publish-Aegis $root $Configuration

    $cases = @(
        @{ Test = 'set'; Pipeline = 1; Count = $requests }, @{ Test = 'get'; Pipeline = 1; Count = $requests },
        @{ Test = 'set'; Pipeline = 16; Count = $pipelinedRequests }, @{ Test = 'get'; Pipeline = 16; Count = $pipelinedRequests })
    $results = @{}

    Write-Host "Single node"
    $single = @(New-NodePorts)
    $node = Start-Node 0 $single @()
    Wait-Ready $single[0].Health
    foreach ($case in $cases) { $results["$($case.Test)/$($case.Pipeline)/single"] = Invoke-Benchmark $single[0].Client $case.Test $case.Pipeline $case.Count -Clients 48 }
    Stop-Tracked $node

    Write-Host "Three nodes"
    $cluster = Start-Cluster 'node'
    $ports, $placement = $cluster.Ports, $cluster.Placement
    Write-Host "Shards per node: $placement"
    foreach ($case in $cases) {
        $key = "$($case.Test)/$($case.Pipeline)"
        $results["$key/one"] = Invoke-Benchmark $ports[0].Client $case.Test $case.Pipeline $case.Count -Clients 48
        $results["$key/spread"] = Invoke-Spread @($ports | ForEach-Object { $_.Client }) $case.Test $case.Pipeline $case.Count
        $results["$key/cluster"] = Invoke-Benchmark $ports[0].Client $case.Test $case.Pipeline $case.Count -Clients 48 -Extra @('--cluster')
    }

    foreach ($node in $cluster.Nodes) { Stop-Tracked $node }

    Write-Host "Three nodes, TLS between them"
    $secured = Start-Cluster 'tls' -Extra (New-ClusterCertificates)
    $http = [System.Net.Http.HttpClient]::new()
    try { $gossip = ($http.GetStringAsync("http://127.0.0.1:$($secured.Ports[0].Health)/admin/cluster").GetAwaiter().GetResult() | ConvertFrom-Json).members[0].gossip }
    finally { $http.Dispose() }
    if ($gossip -notlike 'akka.ssl.tcp://*') { throw "the nodes do not speak TLS to each other: $gossip" }
    Write-Host "Gossip over TLS: $gossip"
    foreach ($case in $cases) { $results["$($case.Test)/$($case.Pipeline)/tls"] = Invoke-Benchmark $secured.Ports[0].Client $case.Test $case.Pipeline $case.Count -Clients 48 }

    $table = @('| Test (ops/s) | 1 node | 3 nodes, all clients on one | 3 nodes, clients spread | 3 nodes, cluster-aware client | 3 nodes, TLS between nodes, all clients on one (of plain) |',
        '|---|---|---|---|---|---|')
    foreach ($case in $cases) {
        $key = "$($case.Test)/$($case.Pipeline)"
        $base = $results["$key/single"]
        $cells = foreach ($mode in 'one', 'spread', 'cluster') { "$([math]::Round($results["$key/$mode"])) ($([math]::Round($results["$key/$mode"] / $base, 2))x)" }
        $tls = "$([math]::Round($results["$key/tls"])) ($([math]::Round($results["$key/tls"] / $results["$key/one"], 2))x)"
        $table += "| $($case.Test.ToUpperInvariant()) -c 48 -P $($case.Pipeline) | $([math]::Round($base)) | $($cells -join ' | ') | $tls |"
    }
    $table -join "`n" | Write-Host

    $cpu = ((Get-Content /proc/cpuinfo | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -split ':\s*', 2)[1]
    $report = @('# Benchmarks: one node and a 3-node cluster', '',
        'AegisKV (`--wal=fsync`, 64 shards) on one node, then three nodes on the same machine, driven by redis-benchmark',
        '(`-c 48` in all, random keys over 100,000, 32-byte values). "All clients on one" sends every request to one node,',
        'which forwards those for shards elsewhere; "spread" splits the clients over the three nodes; "cluster-aware" is',
        '`redis-benchmark --cluster`, which reads the slot map and sends each key to the node its shard runs on. The three',
        'nodes share the same cores as the single node did, so the ratios show the cost of forwarding, not the gain of',
        'more machines. The last column runs the three nodes again with mutual TLS between them (`--cluster-tls-*`), every',
        'client on one node, and compares it with the plain "all clients on one": what TLS costs the requests a node',
        'forwards to the others. Produced by `dotnet pwsh build.ps1 bench-cluster`.', '',
        "Machine: $([Environment]::ProcessorCount) cores ($cpu), .NET $(& dotnet --version). Shards per node: $placement.", '',
        "Run: $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC$(if ($Quick) { ' (quick: smoke figures only)' })", '') + $table
    if (-not $Quick) { Set-Content -Path (Join-Path $root 'docs/benchmarks-cluster.md') -Value ($report -join "`n") }
}
finally {
    foreach ($process in $started) { Stop-Tracked $process 30 }
    Get-EventSubscriber | Unregister-Event
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
