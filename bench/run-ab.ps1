#!/usr/bin/env pwsh
<#
.SYNOPSIS
  This checkout's aegis against another commit's, in pairs of runs on this machine.
.DESCRIPTION
  Publishes both (the other from a temporary git worktree of -Base), then runs -Pairs pairs: in each, a fresh node of
  either build with --wal=fsync on free loopback ports, an unmeasured warm-up, then redis-benchmark (-r 100000,
  -d 32) GET and SET at -c 50, SET at -c 1, and GET and SET at -c 50 -P 16. Which build goes first alternates from
  pair to pair, so a machine that drifts during the run favours neither. Prints, per test, both medians, the median
  of the pairs' ratios and in how many pairs this checkout was faster: on a noisy machine a change is shown by the
  pairs, not by one run. Linux only; installs redis-tools with apt-get when missing.
#>
param(
    [string] $Configuration = 'Release',
    # The commit to compare with.
    [string] $Base = 'HEAD~1',
    [int] $Pairs = 10
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$work = Join-Path ([System.IO.Path]::GetTempPath()) ("aegis-ab-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$started = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()

. (Join-Path $PSScriptRoot 'bench-common.ps1')

$tests = @(
    @{ Name = 'GET -c 50'; Test = 'get'; Clients = 50; Pipeline = 1; Count = 60000 }
    @{ Name = 'SET -c 50'; Test = 'set'; Clients = 50; Pipeline = 1; Count = 40000 }
    @{ Name = 'SET -c 1'; Test = 'set'; Clients = 1; Pipeline = 1; Count = 2000 }
    @{ Name = 'GET -c 50 -P 16'; Test = 'get'; Clients = 50; Pipeline = 16; Count = 400000 }
    @{ Name = 'SET -c 50 -P 16'; Test = 'set'; Clients = 50; Pipeline = 16; Count = 300000 }
)

# One fresh node of the build in $binary: its requests per second in each test, in the order of $tests.
function Invoke-Round([string] $binary, [string] $label) {
    $ports = New-NodePorts
    $data = Join-Path $work "data-$label"
    $arguments = Get-NodeArguments 'ab' $ports $data @('--wal=fsync', '--max-memory=0')
    $node = Start-Tracked $binary $arguments (Join-Path $work "$label.log")
    try {
        Wait-Ready $ports.Health
        Invoke-WarmUp $ports.Client 100000
        return @(foreach ($test in $tests) { Invoke-Benchmark $ports.Client $test.Test $test.Pipeline $test.Count -Clients $test.Clients })
    }
    finally {
        Stop-Tracked $node
        [void] $started.Remove($node)
        Remove-Item -Recurse -Force $data -ErrorAction SilentlyContinue
    }
}

function Median([double[]] $values) {
    $sorted = $values | Sort-Object
    $middle = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2 -eq 1) { return $sorted[$middle] }
    return ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

$worktree = Join-Path $work 'base-src'
try {
    Install-RedisTools
    $baseCommit = (& git -C $root rev-parse --short $Base)
    if ($LASTEXITCODE -ne 0) { throw "no commit $Base" }
    & git -C $root worktree add --detach $worktree $Base 2>&1 | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "git worktree add $Base failed" }
    $builds = @{
        base = Join-Path $work 'base-bin'
        head = Join-Path $work 'head-bin'
    }
    Publish-Aegis $worktree $Configuration $builds.base
    Publish-Aegis $root $Configuration $builds.head

    $results = @{ base = [System.Collections.Generic.List[double[]]]::new(); head = [System.Collections.Generic.List[double[]]]::new() }
    for ($pair = 0; $pair -lt $Pairs; $pair++) {
        $order = if ($pair % 2 -eq 0) { @('base', 'head') } else { @('head', 'base') }
        foreach ($label in $order) { $results[$label].Add((Invoke-Round (Join-Path $builds[$label] 'aegis') $label)) }
        Write-Host "Pair $($pair + 1) of $Pairs done"
    }

    $rows = for ($i = 0; $i -lt $tests.Count; $i++) {
        $before = [double[]] @($results.base | ForEach-Object { $_[$i] })
        $after = [double[]] @($results.head | ForEach-Object { $_[$i] })
        $ratios = [double[]] @(for ($p = 0; $p -lt $Pairs; $p++) { $after[$p] / $before[$p] })
        $faster = @(for ($p = 0; $p -lt $Pairs; $p++) { if ($after[$p] -gt $before[$p]) { 1 } }).Count
        [pscustomobject]@{
            Test = $tests[$i].Name
            "Base $baseCommit" = [long] (Median $before)
            'This checkout' = [long] (Median $after)
            'Median ratio' = [math]::Round((Median $ratios), 3)
            'Faster in' = "$faster of $Pairs"
        }
    }

    Write-Host "Requests per second, medians of $Pairs pairs (a fresh node each, the first of a pair alternating):"
    $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
}
finally {
    foreach ($process in $started) { Stop-Tracked $process 30 }
    Get-EventSubscriber | Unregister-Event
    & git -C $root worktree remove --force $worktree 2>&1 | Out-Null
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
