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
#   cluster-up   start a throwaway PostgreSQL and -Nodes N (default 3) node processes on this machine with the
#                cluster-config/ files; writes .cluster/nodes.json (name, admin, tokenFile, sip, pid per node)
#   cluster-down stop the nodes of cluster-up (SIGTERM: each leaves the cluster), then the PostgreSQL
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'run', 'bench', 'clean', 'cluster-up', 'cluster-down')]
    [string] $Target = 'build',
    [string] $Configuration = 'Release',
    [string] $Filter = '*',
    [ValidateRange(1, 9)]
    [int] $Nodes = 3,
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
        [xml] $doc = Get-Content -Raw -LiteralPath $trx.FullName
        $c = $doc.TestRun.ResultSummary.Counters
        $passed += [int] $c.passed; $failed += [int] $c.failed
        $skipped += [int] $c.notExecuted
    }
    Write-Host ''
    Write-Host "tests: $passed passed, $failed failed, $skipped skipped"
    if ($testExit -ne 0) { throw "dotnet test failed with exit code $testExit" }
    if ($passed -eq 0) { throw "no test ran" }
}

# ---- local multi-process cluster (cluster-up / cluster-down) --------------------------------------------------------
$ClusterDir = Join-Path $Root '.cluster'
$ClusterFile = Join-Path $ClusterDir 'nodes.json'
$PostgresFile = Join-Path $ClusterDir 'postgres.json'

function Test-Pid([int] $ProcessId) {
    return [bool] (Get-Process -Id $ProcessId -ErrorAction SilentlyContinue)
}

# The node file for member $Index: cluster-config/node<i>.conf when present, otherwise the same keys with the next ports.
function Get-NodeConfig([int] $Index) {
    $file = Join-Path $Root "cluster-config/node$Index.conf"
    if (Test-Path $file) { return Get-Content -Raw $file }
    $sip = 5060 + $Index
    return @"
routing.node {
  name = node$Index
  cluster.akka = "127.0.0.1:$(4052 + $Index)"
  admin.url = "http://127.0.0.1:$(9110 + $Index)"
  sip.listen = ["udp:127.0.0.1:$sip", "tcp:127.0.0.1:$sip", "udp:127.0.0.1:5060"]
  data-dir = "./.cluster/node$Index"
}
"@
}

function Read-NodeConfigValue([string] $Text, [string] $Key) {
    $m = [regex]::Match($Text, "(?m)^\s*$([regex]::Escape($Key))\s*=\s*(.+?)\s*$")
    if (-not $m.Success) { throw "cluster-config: '$Key' missing in the node file" }
    return $m.Groups[1].Value
}

# Runs a sh script in its own session, detached from this shell: the script redirects its own output to a file, so
# nothing depends on this PowerShell staying alive (a pipe to it would break once cluster-up returns).
function Start-Detached([string] $Script) {
    return Start-Process -FilePath 'setsid' -ArgumentList @('sh', $Script) -PassThru
}

function Wait-NodeReady([string] $AdminUrl, [string] $TokenFile, [int] $ProcessId, [string] $Log, [int] $Seconds) {
    $deadline = (Get-Date).AddSeconds($Seconds)
    while ((Get-Date) -lt $deadline) {
        if (-not (Test-Pid $ProcessId)) { throw "node (pid $ProcessId) exited during start; see $Log" }
        if (Test-Path $TokenFile) {
            $token = (Get-Content -Raw $TokenFile).Trim()
            try {
                $r = Invoke-WebRequest -Uri "$AdminUrl/api/health/ready" -Headers @{ Authorization = "Bearer $token" } `
                    -SkipHttpErrorCheck -TimeoutSec 3
                if ($r.StatusCode -eq 200) { return }
            } catch {
                Write-Verbose "admin API of pid $ProcessId not answering yet: $_"
            }
        }
        Start-Sleep -Milliseconds 500
    }
    throw "node at $AdminUrl not ready within $Seconds s; see $Log"
}

function Invoke-ClusterUp {
    if (Test-Path $ClusterFile) {
        foreach ($n in (Get-Content -Raw $ClusterFile | ConvertFrom-Json)) {
            if (Test-Pid $n.pid) { throw "a cluster is already up (node $($n.name), pid $($n.pid)); run ./build.ps1 cluster-down first" }
        }
    }
    foreach ($tool in 'pg_virtualenv', 'setsid') {
        if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { throw "cluster-up needs $tool (packages postgresql, util-linux)" }
    }
    Invoke-Checked 'dotnet' @('build', (Join-Path $Root 'src/Routing.Node'), '-c', $Configuration, '-nologo', '-v', 'quiet')
    Invoke-Checked 'dotnet' @('build', (Join-Path $Root 'src/Routing.Cli'), '-c', $Configuration, '-nologo', '-v', 'quiet')
    New-Item -ItemType Directory -Force $ClusterDir | Out-Null

    # Throwaway PostgreSQL, as the tests start it: pg_virtualenv -t creates a cluster in a temporary folder and drops it
    # when its command ends. The command prints the connection, then becomes 'sleep' (same pid): cluster-down kills it.
    $pgLog = Join-Path $ClusterDir 'postgres.log'
    $pgScript = Join-Path $ClusterDir 'postgres.sh'
    Set-Content -Path (Join-Path $ClusterDir 'postgres-inner.sh') -Value 'echo "PG|$PGHOST|$PGPORT|$PGUSER|$PGPASSWORD|$PGDATABASE|$$"; exec sleep infinity'
    Set-Content -Path $pgScript -Value "exec pg_virtualenv -t -o max_connections=120 sh '$(Join-Path $ClusterDir 'postgres-inner.sh')' > '$pgLog' 2>&1 < /dev/null"
    $pg = Start-Detached $pgScript
    $connection = $null; $sleepPid = 0
    $deadline = (Get-Date).AddSeconds(60)
    while (-not $connection -and (Get-Date) -lt $deadline) {
        Start-Sleep -Milliseconds 200
        $line = Get-Content $pgLog -ErrorAction SilentlyContinue | Where-Object { $_ -like 'PG|*' } | Select-Object -First 1
        if ($line) {
            $p = $line.Trim().Split('|')
            $connection = "Host=$($p[1]);Port=$($p[2]);Username=$($p[3]);Password=$($p[4]);Database=$($p[5])"
            $sleepPid = [int] $p[6]
        } elseif ($pg.HasExited) {
            throw "pg_virtualenv ended early; see $pgLog"
        }
    }
    if (-not $connection) { throw "pg_virtualenv did not start a database within 60 s; see $pgLog" }
    @{ pid = $pg.Id; sleepPid = $sleepPid; connection = $connection } | ConvertTo-Json | Set-Content $PostgresFile

    # One flow-token secret for every member, so a flow token minted by one edge verifies on another (RFC 5626 §5.2).
    $flowSecret = Join-Path $ClusterDir 'flow.secret'
    if (-not (Test-Path $flowSecret)) {
        $bytes = [byte[]]::new(32)
        [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
        Set-Content -Path $flowSecret -Value ([Convert]::ToHexString($bytes)) -NoNewline
        & chmod 600 $flowSecret
    }
    $nodeDll = Join-Path $Root "src/Routing.Node/bin/$Configuration/net10.0/Routing.Node.dll"
    $shared = Get-Content -Raw (Join-Path $Root 'cluster-config/cluster.conf')
    $list = @()
    for ($i = 1; $i -le $Nodes; $i++) {
        $own = Get-NodeConfig $i
        $config = Join-Path $ClusterDir "node$i.conf"
        # One --config file per node: the shared settings, then the node's own (later keys win).
        Set-Content -Path $config -Value ($shared + "`n" + $own)
        $log = Join-Path $ClusterDir "node$i.log"
        $launcher = Join-Path $ClusterDir "node$i.sh"
        Set-Content -Path $launcher -Value ("cd '$Root' && exec dotnet '$nodeDll' --config '$config' --journal-connection '$connection' --flow-secret '$flowSecret'" +
            " > '$log' 2>&1 < /dev/null")
        $proc = Start-Detached $launcher
        $admin = (Read-NodeConfigValue $own 'admin.url').Trim('"')
        $dataDir = Join-Path $Root ((Read-NodeConfigValue $own 'data-dir').Trim('"'))
        $sip = @(([regex]::Matches((Read-NodeConfigValue $own 'sip.listen'), '"([^"]+)"')) | ForEach-Object { $_.Groups[1].Value })
        $list += [ordered] @{
            name = (Read-NodeConfigValue $own 'name').Trim('"'); admin = $admin
            tokenFile = [IO.Path]::GetFullPath((Join-Path $dataDir 'admin.token')); sip = $sip; pid = $proc.Id
            akka = (Read-NodeConfigValue $own 'cluster.akka').Trim('"'); log = $log
        }
        # Written before each wait, so cluster-down finds every process started even if a later one fails.
        ConvertTo-Json -InputObject @($list) -Depth 4 | Set-Content $ClusterFile
        # The first seed forms the cluster; later members join through it, so start them one after another.
        Wait-NodeReady $admin $list[-1].tokenFile $proc.Id $log 120
        Write-Host "node$i up: admin $admin, SIP $($sip -join ' '), pid $($proc.Id)"
    }
    ConvertTo-Json -InputObject @($list) -Depth 4 | Set-Content $ClusterFile
    Write-Host "cluster of $Nodes up; members in $ClusterFile. Try:"
    Write-Host "  dotnet src/Routing.Cli/bin/$Configuration/net10.0/routectl.dll --node $($list[0].admin) --token-file $($list[0].tokenFile) cluster nodes"
}

function Invoke-ClusterDown {
    if (Test-Path $ClusterFile) {
        $members = @(Get-Content -Raw $ClusterFile | ConvertFrom-Json)
        foreach ($n in $members) {
            if (Test-Pid $n.pid) { & kill -TERM $n.pid }
        }
        # A member leaves through CoordinatedShutdown (hand-off, leave); cluster.conf bounds that at ~75 s.
        $deadline = (Get-Date).AddSeconds(90)
        foreach ($n in $members) {
            while ((Test-Pid $n.pid) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
            if (Test-Pid $n.pid) { Write-Warning "$($n.name) (pid $($n.pid)) did not stop; killing it"; & kill -KILL $n.pid }
            else { Write-Host "$($n.name) stopped" }
        }
        Remove-Item $ClusterFile
    }
    if (Test-Path $PostgresFile) {
        $pg = Get-Content -Raw $PostgresFile | ConvertFrom-Json
        if (Test-Pid $pg.sleepPid) { & kill -TERM $pg.sleepPid }
        $deadline = (Get-Date).AddSeconds(30)
        while ((Test-Pid $pg.pid) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
        Remove-Item $PostgresFile
        Write-Host 'postgres stopped'
    }
}

switch ($Target) {
    'build' { Invoke-Build }
    'test'  { Invoke-Test }
    'run'   { Invoke-Checked 'dotnet' (@('run', '--project', (Join-Path $Root 'src/Routing.Node'), '-c', $Configuration, '--') + $Rest) }
    'bench' {
        Invoke-Checked 'dotnet' (@('run', '--project', (Join-Path $Root 'benchmarks/Routing.Benchmarks'), '-c', 'Release', '--',
            '--filter', $Filter) + $Rest)
    }
    'cluster-up' { Invoke-ClusterUp }
    'cluster-down' { Invoke-ClusterDown }
    'clean' { Invoke-Checked 'dotnet' @('clean', $Solution, '-c', $Configuration, '-nologo', '-v', 'quiet') }
}
