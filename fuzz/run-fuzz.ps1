#!/usr/bin/env pwsh
<#
.SYNOPSIS
  Fuzzes AegisKV's readers of untrusted bytes with afl-fuzz through SharpFuzz.
.DESCRIPTION
  Builds fuzz/AegisKV.Fuzz, instruments the AegisKV assemblies with the sharpfuzz tool, then runs afl-fuzz on
  each target in turn, starting from fuzz/corpus/TARGET, for its share of -Seconds. Prints each target's figures
  (executions, inputs kept, crashes, hangs). Every crash or hang is copied to fuzz/findings/TARGET/ and fails the
  run: replay it with `dotnet run --project fuzz/AegisKV.Fuzz -- replay TARGET FILE`, fix the reader, and move the
  file to fuzz/regressions/TARGET/, where the test run keeps it handled.
  Linux only; installs afl++ with apt-get when missing (as root).
#>
param(
    [string] $Configuration = 'Release',
    # Seconds of fuzzing in all, shared out between the targets.
    [int] $Seconds = 600,
    # One target (see `aegis-fuzz list`); all when empty.
    [string] $Target = ''
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
Set-Location $root

if (-not (Get-Command afl-fuzz -ErrorAction SilentlyContinue)) {
    if ((& id -u) -ne '0') { throw 'afl-fuzz is missing: install afl++ (apt-get install afl++)' }
    Write-Host 'Installing afl++ with apt-get'
    & apt-get update -qq
    & apt-get install -y -qq afl++ | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'could not install afl++' }
}

$work = Join-Path ([System.IO.Path]::GetTempPath()) "aegis-fuzz-$([System.Guid]::NewGuid().ToString('N').Substring(0, 8))"
New-Item -ItemType Directory -Path $work | Out-Null
try {
    # Instrumented in a copy of the build output: the build tree keeps assemblies the tests can load.
    & dotnet build fuzz/AegisKV.Fuzz -c $Configuration --nologo -v quiet | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'building fuzz/AegisKV.Fuzz failed' }
    $bin = Join-Path $work 'bin'
    Copy-Item -Recurse "fuzz/AegisKV.Fuzz/bin/$Configuration/net10.0" $bin
    & dotnet tool restore | Out-Null
    # Only AegisKV's own code reports coverage: Akka and the runtime would drown it in noise.
    foreach ($assembly in 'AegisKV.Protocol', 'AegisKV.Storage', 'AegisKV.Core', 'AegisKV.Cluster') {
        & dotnet sharpfuzz (Join-Path $bin "$assembly.dll") | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "instrumenting $assembly failed" }
    }

    $targets = if ($Target) { @($Target) } else { @(& dotnet (Join-Path $bin 'aegis-fuzz.dll') list) }
    $share = [Math]::Max(5, [int]($Seconds / $targets.Count))
    # afl-fuzz runs dotnet, which it did not build; the machine's crash handler and CPU governor are not ours to change.
    $env:AFL_SKIP_BIN_CHECK = '1'
    $env:AFL_NO_UI = '1'
    $env:AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES = '1'
    $env:AFL_SKIP_CPUFREQ = '1'
    $env:AFL_NO_AFFINITY = '1'
    $findings = @()
    foreach ($name in $targets) {
        $out = Join-Path $work "out-$name"
        & afl-fuzz -i (Join-Path 'fuzz/corpus' $name) -o $out -V $share -t 10000 -m none -- dotnet (Join-Path $bin 'aegis-fuzz.dll') $name *> (Join-Path $work "afl-$name.log")
        $statsFile = Join-Path $out 'default/fuzzer_stats'
        if (-not (Test-Path $statsFile)) {
            Get-Content (Join-Path $work "afl-$name.log") -Tail 30 | Write-Host
            throw "afl-fuzz did not run target '$name' (exit code $LASTEXITCODE)"
        }
        $stats = @{}
        foreach ($line in Get-Content $statsFile) {
            $key, $value = $line -split '\s*:\s*', 2
            $stats[$key] = $value
        }
        Write-Host ("{0,-9} {1,9} executions in {2,3} s ({3} per s), {4} inputs kept, {5} crashes, {6} hangs" -f $name,
            $stats['execs_done'], $stats['run_time'], $stats['execs_per_sec'], $stats['corpus_count'], $stats['saved_crashes'], $stats['saved_hangs'])
        foreach ($kind in 'crashes', 'hangs') {
            $found = Get-ChildItem (Join-Path $out "default/$kind") -File -ErrorAction SilentlyContinue | Where-Object Name -ne 'README.txt'
            if (-not $found) { continue }
            $keep = New-Item -ItemType Directory -Force -Path (Join-Path 'fuzz/findings' $name)
            foreach ($file in $found) {
                $copy = Join-Path $keep "$kind-$($file.Name -replace '[^A-Za-z0-9_.-]', '_')"
                Copy-Item $file.FullName $copy
                $findings += $copy
            }
        }
    }

    if ($findings.Count -gt 0) {
        Write-Host "Findings (replay with: dotnet run --project fuzz/AegisKV.Fuzz -- replay TARGET FILE):"
        $findings | ForEach-Object { Write-Host "  $_" }
        throw "$($findings.Count) fuzz findings"
    }
}
finally {
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
