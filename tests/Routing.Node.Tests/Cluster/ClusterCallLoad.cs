using System.Net;
using System.Text.Json;
using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Cluster;

/// <summary>
/// The calls of the cluster availability tests, all through the shared signalling address: a SIPp UAS registered as
/// <c>bob-hold</c> answering <see cref="Held"/> calls that a SIPp UAC sets up at once and holds until the test ends
/// them (<see cref="EndHeldCallsAsync"/>: an INFO to each call's socket makes its caller send BYE); a second UAS
/// (<c>bob-short</c>) answering a steady stream of short calls; and a stream of REGISTERs of new users. UACs use one
/// socket per call (-t un) so SO_REUSEPORT spreads them over the members.
/// </summary>
internal sealed class ClusterCallLoad : IAsyncDisposable
{
    public const int Held = 200;
    private const double ShortCallRate = 5;
    private const double RegisterRate = 5;

    private readonly ClusterUnderTest _cluster;

    // A new call or REGISTER that gets no final answer within 32 s (RFC 3261 Timer B/F) counts as failed.
    private static readonly string RecvTimeout = ClusterSipp.P(32_000);
    private readonly List<ClusterSipp> _peers = [];
    private readonly int _holdUasPort = TestEnvironment.FreePort();
    private readonly int _shortUasPort = TestEnvironment.FreePort();
    private readonly int _registerContactPort = TestEnvironment.FreePort();
    private ClusterSipp? _holdUas;
    private ClusterSipp? _holdUac;
    private ClusterSipp? _shortUas;
    private ClusterSipp? _shortUac;
    private ClusterSipp? _register;

    public ClusterCallLoad(ClusterUnderTest cluster) => _cluster = cluster;

    /// <summary>Bound of the whole run of every SIPp peer (s, scaled): setup, the operation under test, hang-up.</summary>
    private const double PeerBound = 600;

    public static string HeldCallId(int n) => $"hold-{n}@127.0.0.1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ClusterSipp Sipp(string scenario, int localPort, double seconds, params string[] extra)
    {
        var p = ClusterSipp.Start(scenario, _cluster.SharedSipPort, localPort, seconds, extra);
        _peers.Add(p);
        return p;
    }

    /// <summary>Registers both callees, starts their UASs and sets up the held calls; returns once all are established.</summary>
    public async Task EstablishAsync()
    {
        foreach (var (user, port) in new[] { ("bob-hold", _holdUasPort), ("bob-short", _shortUasPort) })
        {
            using var reg = ClusterSipp.Start("proxy-register.xml", _cluster.SharedSipPort, TestEnvironment.FreePort(), 20,
                ["-m", "1", "-key", "user", user, "-key", "contact", "127.0.0.1:" + ClusterSipp.P(port), "-key", "cparams", ""]);
            Assert.True(await reg.ExitedAsync(TestEnvironment.Scaled(25), Ct), "REGISTER of " + user + " did not finish");
            Assert.True(reg.Process.ExitCode == 0, $"REGISTER of {user} failed\n{reg.Process.Stdout}\n{reg.Errors}");
        }

        var bound = PeerBound;
        _holdUas = Sipp("cluster-uas.xml", _holdUasPort, bound, "-m", ClusterSipp.P(Held), "-key", "totag", "thold");
        _shortUas = Sipp("cluster-uas.xml", _shortUasPort, bound, "-key", "totag", "tshort");

        // 200 calls at 40/s, one socket each; each is held until EndHeldCallsAsync, then hung up with BYE.
        _holdUac = Sipp("cluster-uac-hold.xml", TestEnvironment.FreePort(), bound, "-t", "un", "-m", ClusterSipp.P(Held), "-r", "40", "-l",
            ClusterSipp.P(Held), "-key", "caller", "alice", "-key", "callee", "bob-hold",
            "-key", "ftag", "fhold", "-cid_str", "hold-%u@%s");
        // Established: the caller sent its ACK, the callee got it, and the cluster recorded the dialog as confirmed
        // (the proxy forwards the 200 before the journal has it; a member killed in between loses that dialog).
        var start = TimeProvider.System.GetTimestamp();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (_holdUac.Logged("up").Count < Held || _holdUas.Logged("acked").Count < Held)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(start) < TestEnvironment.Scaled(40),
                $"only {_holdUac.Logged("up").Count} of {Held} calls established, {_holdUas.Logged("acked").Count} ACKs at the callee\n" +
                $"{_holdUac.Errors}\n{_holdUas.Errors}");
            Assert.False(_holdUac.Process.HasExited, "the holding UAC exited early\n" + _holdUac.Process.Stdout + _holdUac.Errors);
            await poll.WaitForNextTickAsync(Ct);
        }

        var confirmed = await ConfirmedDialogsAsync(_cluster.Members[0], TestEnvironment.Scaled(30));
        Assert.True(confirmed == Held, $"only {confirmed} of {Held} dialogs recorded as confirmed");
    }

    /// <summary>Polls the dialogs of the held calls through <paramref name="via"/> until all are Confirmed; returns how many were.</summary>
    public static async Task<int> ConfirmedDialogsAsync(ClusterMember via, TimeSpan limit)
    {
        var start = TimeProvider.System.GetTimestamp();
        var pending = new HashSet<int>(Enumerable.Range(1, Held));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        do
        {
            foreach (var n in pending.ToArray())
            {
                using var response = await via.GetAsync("/api/dialogs/" + Uri.EscapeDataString(HeldCallId(n)), Ct);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    continue;
                }

                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
                if (json.RootElement.GetProperty("phase").GetString() == "Confirmed")
                {
                    pending.Remove(n);
                }
            }
        }
        while (pending.Count > 0 && TimeProvider.System.GetElapsedTime(start) < limit && await poll.WaitForNextTickAsync(Ct));

        return Held - pending.Count;
    }

    /// <summary>Starts the steady streams: short calls (1 s each) to bob-short and REGISTERs of new users r1, r2, ...</summary>
    public void StartStreams()
    {
        var bound = PeerBound;
        _shortUac = Sipp("proxy-uac.xml", TestEnvironment.FreePort(), bound, "-t", "un", "-r", ClusterSipp.P((int)ShortCallRate), "-l", "50",
            "-m", "100000", "-d", "1000", "-recv_timeout", RecvTimeout, "-key", "caller", "carol", "-key", "callee", "bob-short", "-key", "ftag", "fshort",
            "-cid_str", "short-%u@%s");
        _register = Sipp("cluster-register.xml", TestEnvironment.FreePort(), bound, "-t", "un", "-r", ClusterSipp.P((int)RegisterRate), "-l", "50",
            "-m", "100000", "-recv_timeout", RecvTimeout, "-key", "user", "r", "-key", "contact", "127.0.0.1:" + ClusterSipp.P(_registerContactPort));
    }

    /// <summary>Stops the streams (soft exit: what is in progress finishes) and returns their figures.</summary>
    public async Task<StreamFigures> StopStreamsAsync()
    {
        _shortUac!.Quit();
        _register!.Quit();
        Assert.True(await _shortUac.ExitedAsync(TestEnvironment.Scaled(60), Ct), "short-call UAC did not finish");
        Assert.True(await _register.ExitedAsync(TestEnvironment.Scaled(60), Ct), "REGISTER stream did not finish");
        _shortUas!.Quit();
        await _shortUas.ExitedAsync(TestEnvironment.Scaled(20), Ct);
        return new StreamFigures(
            _shortUac.Counter("OutgoingCall(C)"), _shortUac.Counter("SuccessfulCall(C)"), _shortUac.Counter("FailedCall(C)"),
            _register.Counter("OutgoingCall(C)"), [.. _register.Logged("ok").Keys], _register.Counter("FailedCall(C)"),
            // SIPp's own stderr too: a stream that could not start (a port taken meanwhile) writes nothing to its error log.
            $"{_shortUac.Errors}{_register.Errors}short-call UAC exit {_shortUac.Process.ExitCode}: {_shortUac.Process.Stderr}\n" +
            $"REGISTER stream exit {_register.Process.ExitCode}: {_register.Process.Stderr}");
    }

    /// <summary>
    /// Ends every held call: an INFO to each call's own socket lets its caller go on to BYE. Then waits for the held
    /// calls to end and asserts every BYE got its 200 at the UAC and every call ended at the UAS. Returns how many
    /// held calls ended cleanly.
    /// </summary>
    public async Task<int> EndHeldCallsAsync()
    {
        var up = _holdUac!.Logged("up");
        using (var udp = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            foreach (var (n, call) in up)
            {
                var info = System.Text.Encoding.ASCII.GetBytes(
                    $"INFO sip:alice@127.0.0.1:{call.Port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKend{n}\r\nMax-Forwards: 70\r\n" +
                    $"From: <sip:bob-hold@{ClusterSipp.Domain}>;tag=thold\r\nTo: <sip:alice@{ClusterSipp.Domain}>;tag=fhold\r\n" +
                    $"Call-ID: {HeldCallId(n)}\r\nCSeq: 1 INFO\r\nContent-Length: 0\r\n\r\n");
                await udp.SendAsync(info, new IPEndPoint(IPAddress.Loopback, call.Port), Ct);
            }
        }

        Assert.True(await _holdUac.ExitedAsync(TestEnvironment.Scaled(90), Ct), $"holding UAC did not finish; {_holdUac.Logged("done").Count} BYEs answered\n{_holdUac.Errors}");
        if (!await _holdUas!.ExitedAsync(TestEnvironment.Scaled(30), Ct))
        {
            // The callee ends once it has answered every held call's BYE; name the calls whose BYE never reached it.
            var answered = _holdUac.Logged("done");
            Assert.Fail($"holding UAS did not finish: {answered.Count} of {Held} BYEs answered at the UAC, " +
                $"{_holdUac.Counter("FailedCall(C)")} failed calls; calls without BYE/200: " +
                $"{string.Join(", ", up.Keys.Where(n => !answered.ContainsKey(n)).Order().Take(20))} (log dirs {_holdUac.Directory}, {_holdUas.Directory})\n" +
                $"UAC: {_holdUac.Errors}\nUAS: {_holdUas.Errors}");
        }

        var done = _holdUac.Logged("done").Count;
        Assert.True(done == Held, $"{Held - done} of {Held} established calls lost: their BYE got no 200\n{_holdUac.Errors}\n{_holdUas.Errors}");
        Assert.True(_holdUac.Process.ExitCode == 0 && _holdUac.Counter("FailedCall(C)") == 0,
            $"UAC: exit {_holdUac.Process.ExitCode}, {_holdUac.Counter("FailedCall(C)")} failed calls\n{_holdUac.Errors}");
        Assert.True(_holdUas.Process.ExitCode == 0 && _holdUas.Counter("SuccessfulCall(C)") == Held,
            $"UAS: exit {_holdUas.Process.ExitCode}, {_holdUas.Counter("SuccessfulCall(C)")} calls ended with BYE/200 of {Held}\n{_holdUas.Errors}");
        return done;
    }

    /// <summary>Asserts every REGISTER answered 200 left its binding, read back through <paramref name="via"/>.</summary>
    public static async Task AssertBindingsAsync(ClusterMember via, IEnumerable<int> acknowledged, int contactPort)
    {
        var missing = new List<string>();
        foreach (var n in acknowledged)
        {
            var aor = $"sip:r{n}@{ClusterSipp.Domain}";
            using var response = await via.GetAsync("/api/users/" + Uri.EscapeDataString(aor), Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            if (response.StatusCode != HttpStatusCode.OK || !body.Contains($"r{n}@127.0.0.1:{contactPort}", StringComparison.Ordinal))
            {
                missing.Add($"{aor}: {(int)response.StatusCode} {body}");
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged registrations lost:\n" + string.Join("\n", missing.Take(10)));
    }

    public int RegisterContactPort => _registerContactPort;

    /// <summary>
    /// Asserts, from <c>routectl cdr list --json</c>, that every held call has a complete CDR (answered 200, ended by the
    /// caller's BYE, which got its 200) whose duration is what the caller saw, from its ACK to its BYE, within
    /// <paramref name="tolerance"/>. The BYE's 200 may come seconds later without the call lasting longer: a BYE that
    /// meets a shard hand-off waits for the proxy's next ask (5 s) after the dialog recorded its end.
    /// </summary>
    public async Task AssertHeldCdrsAsync(ClusterMember via, TimeSpan tolerance)
    {
        var up = _holdUac!.Logged("up");
        var bye = _holdUac.Logged("bye");
        var done = _holdUac.Logged("done");
        var start = TimeProvider.System.GetTimestamp();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        List<string> problems;
        do
        {
            var cdr = await ClusterUnderTest.RoutectlAsync(via, Ct, "--json", "cdr", "list", "--limit", "100000");
            Assert.True(cdr.ExitCode == 0, cdr.Stderr + cdr.Stdout);
            using var json = JsonDocument.Parse(cdr.Stdout);
            var rows = new Dictionary<string, JsonElement>();
            foreach (var row in json.RootElement.EnumerateArray())
            {
                rows[row.GetProperty("callId").GetString()!] = row.Clone();
            }

            problems = [];
            for (var n = 1; n <= Held; n++)
            {
                if (!rows.TryGetValue(HeldCallId(n), out var row))
                {
                    problems.Add(HeldCallId(n) + ": no CDR");
                    continue;
                }

                var ended = row.GetProperty("endTime").ValueKind == JsonValueKind.String;
                var duration = row.TryGetProperty("durationMs", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt64() : -1;
                if (!ended || row.GetProperty("finalStatus").GetInt32() != 200 || row.GetProperty("endReason").GetString() != "bye"
                    || row.GetProperty("hungUpBy").GetString() != "caller" || !done.ContainsKey(n) || !up.TryGetValue(n, out var a)
                    || !bye.TryGetValue(n, out var b) || Math.Abs(duration - (b.Tick - a.Tick)) > tolerance.TotalMilliseconds)
                {
                    var held = up.TryGetValue(n, out var u) && bye.TryGetValue(n, out var e) ? e.Tick - u.Tick : -1;
                    var answered = up.TryGetValue(n, out var u2) && done.TryGetValue(n, out var e2) ? e2.Tick - u2.Tick : -1;
                    problems.Add($"caller held {held} ms (its BYE answered after {answered} ms): {row}");
                }
            }

            if (problems.Count == 0)
            {
                return;
            }
        }
        while (TimeProvider.System.GetElapsedTime(start) < TestEnvironment.Scaled(30) && await poll.WaitForNextTickAsync(Ct));

        Assert.Fail($"{problems.Count} held calls without a complete CDR lasting what the caller saw ± {tolerance.TotalSeconds:0} s:\n"
                    + string.Join("\n", problems.Take(5)));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _peers)
        {
            p.Dispose();
        }

        await Task.Yield();
    }
}

/// <summary>What the streams of new calls and REGISTERs saw.</summary>
internal sealed record StreamFigures(long Calls, long CallsOk, long CallsFailed, long Registers, HashSet<int> RegistersOk, long RegistersFailed, string Errors)
{
    public override string ToString() =>
        $"new calls: {CallsOk}/{Calls} ok, {CallsFailed} failed; REGISTERs: {RegistersOk.Count}/{Registers} answered 200, {RegistersFailed} failed";
}
