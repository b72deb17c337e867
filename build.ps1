#!/usr/bin/env pwsh
# Build, test, run and benchmark the routing cluster.
#
#   dotnet tool restore && dotnet pwsh ./build.ps1 <target> [options]
#
# Targets:
#   build      compile the solution (Release)
#   test       install the OS packages the tests need (as root, with apt-get), then run every test
#   run        start a single-node cluster on the embedded SQLite default (extra args go to the node)
#   bench      run the BenchmarkDotNet suites (-Filter '*Parser*' to narrow)
#   clean      remove build outputs
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'run', 'bench', 'clean')]
    [string] $Target = 'build',
    [string] $Configuration = 'Release',
    [string] $Filter = '*',
    [Parameter(ValueFromRemainingArguments = $true)]
    [string[]] $Rest = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Solution = Join-Path $Root 'Routing.Cluster.sln'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Checked([string] $File, [string[]] $Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

# The Debian packages the end-to-end tests drive (see docs/testing.md for which test uses which).
$TestPackages = @(
    @{ Command = 'sipp';     Package = 'sip-tester' },
    @{ Command = 'stunnel4'; Package = 'stunnel4' },
    @{ Command = 'sipsak';   Package = 'sipsak' },
    @{ Command = 'baresip';  Package = 'baresip-core' },
    @{ Command = 'openssl';  Package = 'openssl' },
    @{ Command = 'ip';       Package = 'iproute2' },
    @{ Command = 'pg_ctlcluster'; Package = 'postgresql' }
)

function Install-TestPackages {
    $missing = @($TestPackages | Where-Object { -not (Get-Command $_.Command -ErrorAction SilentlyContinue) } | ForEach-Object { $_.Package })
    if ($missing.Count -eq 0) { Write-Host "test packages: all present"; return }
    if ((& id -u) -ne '0') {
        throw "the tests need these Debian packages: $($missing -join ' '); run as root or install them first"
    }
    Write-Host "installing test packages: $($missing -join ' ')"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Checked 'apt-get' @('update', '-q')
    Invoke-Checked 'apt-get' (@('install', '-y', '-q', '--no-install-recommends') + $missing)
}

function Invoke-Build {
    Invoke-Checked 'dotnet' @('build', $Solution, '-c', $Configuration, '-nologo', '-v', 'minimal')
}

function Invoke-Test {
    Install-TestPackages
    Invoke-Build
    $results = Join-Path $Root 'artifacts/test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    New-Item -ItemType Directory -Force $results | Out-Null
    # Timing-dependent tests scale their timeouts by this factor (akka.test.timefactor); 2 cores in CI.
    if (-not $env:ROUTING_TEST_TIMEFACTOR) { $env:ROUTING_TEST_TIMEFACTOR = '3' }
    & dotnet test $Solution -c $Configuration --no-build -nologo `
        --logger 'trx' --logger 'console;verbosity=normal' --results-directory $results
    $testExit = $LASTEXITCODE
    $passed = 0; $failed = 0; $skipped = 0
    foreach ($trx in Get-ChildItem -Path $results -Filter '*.trx' -Recurse) {
        [xml] $doc = Get-Content -Raw $trx.FullName
        $c = $doc.TestRun.ResultSummary.Counters
        $passed += [int] $c.passed; $failed += [int] $c.failed
        $skipped += [int] $c.notExecuted
    }
    Write-Host ''
    Write-Host "tests: $passed passed, $failed failed, $skipped skipped"
    if ($testExit -ne 0) { throw "dotnet test failed with exit code $testExit" }
    if ($passed -eq 0) { throw "no test ran" }
}

switch ($Target) {
    'build' { Invoke-Build }
    'test'  { Invoke-Test }
    'run'   { Invoke-Checked 'dotnet' (@('run', '--project', (Join-Path $Root 'src/Routing.Node'), '-c', $Configuration, '--') + $Rest) }
    'bench' {
        Invoke-Checked 'dotnet' (@('run', '--project', (Join-Path $Root 'benchmarks/Routing.Benchmarks'), '-c', 'Release', '--',
            '--filter', $Filter) + $Rest)
    }
    'clean' { Invoke-Checked 'dotnet' @('clean', $Solution, '-c', $Configuration, '-nologo', '-v', 'quiet') }
}
