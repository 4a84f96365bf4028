#!/usr/bin/env pwsh
<#
.SYNOPSIS
  AegisKV build tasks.
.DESCRIPTION
  dotnet tool restore; dotnet pwsh build.ps1 <task>
    build    Build the solution (Release).
    test     Run the tests; -Category unit|integration|compat|process|chaos picks one category. Chaos runs each
             scenario for -Seconds (default 600); the default test run includes each three-copy scenario for 15 s as a smoke.
    publish  Publish the aegis executable to ./bin.
    bench    Benchmark AegisKV against redis-server and Garnet side by side, then three copies beside one (bench-replication);
             needs Linux; installs redis with apt-get if missing. -Quick: the first part, short, without Garnet.
             -Micro runs the BenchmarkDotNet micro-benchmarks of the hot path instead (bench/AegisKV.Benchmarks) and
             fails when one allocates more per operation than its budget.
    bench-cluster  Benchmark one node beside a 3-node cluster: clients on one node, spread, and cluster-aware.
    bench-replication  Benchmark three copies of every shard beside one copy and beside one node (ops/s, p50/p99, CPU per op).
    bench-ab  Compare this checkout's node with commit -Base's (default HEAD~1) in -Pairs pairs of runs (default 10), a
             fresh node each, the first of a pair alternating: per test both medians, the median ratio, and in how
             many pairs this checkout was faster. Needs Linux.
    soak     Run the soak test for -Seconds (default 600): mixed load, churn, expiry, snapshots, then kill -9.
             The default test run includes it for 30 s as a smoke.
    fuzz     Fuzz the readers of untrusted bytes (RESP, inline commands, WAL segments, snapshot files, node-to-node
             messages) with afl-fuzz for -Seconds in all (default 600), or one -Target. Installs afl++ when missing.
             The default test run replays the corpus and every input a fuzz run once found a fault with.
    simulate Run the replication simulation over -Thousands (default 50) thousand more seeds per case than the
             default test run's 2,500 in all.
#>
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'publish', 'bench', 'bench-cluster', 'bench-replication', 'bench-ab', 'soak', 'simulate', 'fuzz')]
    [string] $Task = 'build',

    [ValidateSet('all', 'unit', 'integration', 'compat', 'process', 'chaos')]
    [string] $Category = 'all',

    [string] $Configuration = 'Release',

    # bench, bench-cluster, bench-replication: shorter runs, for a smoke test.
    [switch] $Quick,

    # bench: the micro-benchmarks with their allocation budgets instead of the side-by-side run.
    [switch] $Micro,

    # soak, test -Category chaos: how long the load runs; fuzz: how long to fuzz, all targets together.
    [int] $Seconds = 600,

    # simulate: thousands of seeds to add per case.
    [int] $Thousands = 50,

    # fuzz: one target only (aegis-fuzz list names them).
    [string] $Target = '',

    # bench-ab: the commit to compare this checkout with, and how many pairs of runs.
    [string] $Base = 'HEAD~1',
    [int] $Pairs = 10
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Native([string] $command, [string[]] $arguments) {
    & $command @arguments
    if ($LASTEXITCODE -ne 0) { throw "$command $($arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

$testProjects = @{
    unit        = @('tests/AegisKV.Protocol.Tests', 'tests/AegisKV.Storage.Tests', 'tests/AegisKV.Core.Tests', 'tests/AegisKV.Cluster.Tests', 'tests/AegisKV.Checkers.Tests', 'tests/AegisKV.Replication.Tests', 'tests/AegisKV.Fuzz.Tests')
    integration = @('tests/AegisKV.IntegrationTests')
    compat      = @('tests/AegisKV.CompatibilityTests')
    process     = @('tests/AegisKV.ProcessTests')
}

switch ($Task) {
    'build' { Invoke-Native dotnet @('build', 'AegisKV.sln', '-c', $Configuration) }
    'test' {
        if ($Category -eq 'all') {
            Invoke-Native dotnet @('test', 'AegisKV.sln', '-c', $Configuration)
        }
        elseif ($Category -eq 'chaos') {
            $env:AEGIS_CHAOS_SECONDS = "$Seconds"
            try {
                Invoke-Native dotnet @('test', 'tests/AegisKV.ProcessTests', '-c', $Configuration, '--filter', 'Category=chaos', '--logger', 'console;verbosity=detailed')
            }
            finally {
                Remove-Item Env:AEGIS_CHAOS_SECONDS
            }
        }
        else {
            foreach ($project in $testProjects[$Category]) { Invoke-Native dotnet @('test', $project, '-c', $Configuration) }
        }
    }
    'publish' { Invoke-Native dotnet @('publish', 'src/AegisKV.Server', '-c', $Configuration, '-o', 'bin') }
    'bench' {
        if ($Micro) {
            # In process: the measured code is this build's, and no project is generated and built per benchmark.
            Invoke-Native dotnet @('run', '--project', 'bench/AegisKV.Benchmarks', '-c', $Configuration, '--', '--inProcess',
                '--artifacts', (Join-Path ([IO.Path]::GetTempPath()) 'aegis-benchmarks'))
        }
        else {
            & "$PSScriptRoot/bench/run-bench.ps1" -Configuration $Configuration -Quick:$Quick
            # The full run ends with three copies beside one (its own section of docs/benchmarks.md).
            if (-not $Quick) { & "$PSScriptRoot/bench/run-replication-bench.ps1" -Configuration $Configuration }
        }
    }
    'bench-cluster' { & "$PSScriptRoot/bench/run-cluster-bench.ps1" -Configuration $Configuration -Quick:$Quick }
    'bench-replication' { & "$PSScriptRoot/bench/run-replication-bench.ps1" -Configuration $Configuration -Quick:$Quick }
    'bench-ab' { & "$PSScriptRoot/bench/run-ab.ps1" -Configuration $Configuration -Base $Base -Pairs $Pairs }
    'simulate' {
        $env:AEGIS_SIMULATION_SEEDS = "$Thousands"
        try {
            Invoke-Native dotnet @('test', 'tests/AegisKV.Replication.Tests', '-c', $Configuration, '--filter', 'FullyQualifiedName~SimulationTests', '--logger', 'console;verbosity=detailed')
        }
        finally {
            Remove-Item Env:AEGIS_SIMULATION_SEEDS
        }
    }
    'fuzz' { & "$PSScriptRoot/fuzz/run-fuzz.ps1" -Configuration $Configuration -Seconds $Seconds -Target $Target }
    'soak' {
        $env:AEGIS_SOAK_SECONDS = "$Seconds"
        Invoke-Native dotnet @('test', 'tests/AegisKV.ProcessTests', '-c', $Configuration, '--filter', 'Category=soak', '--logger', 'console;verbosity=detailed')
    }
}
