using System.Text.Json;
using Routing.Edge.Proxy;
using Routing.Node.Tests.EndToEnd;
using static Routing.Node.Tests.Proxy.ProxyNode;

namespace Routing.Node.Tests.Proxy;

/// <summary>One running node shared by the proxy end-to-end cases.</summary>
public sealed class ProxyNodeFixture : IAsyncLifetime
{
    internal ProxyNode Node { get; } = new();

    public async ValueTask InitializeAsync()
    {
        Node.Start();
        await Node.WaitReadyAsync();
    }

    public ValueTask DisposeAsync()
    {
        Node.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// SIPp through the proxy with the project's own scenarios (tests/Routing.Node.Tests/Scenarios/proxy-*.xml): the
/// callee UAS registered at the node, the caller UAC calling it. Each case asserts what the peers saw (the scenario
/// checks, plus the traces here) and the CDR row the projection wrote.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ProxyEndToEndTests(ProxyNodeFixture fixture) : IClassFixture<ProxyNodeFixture>
{
    private readonly ProxyNode _node = fixture.Node;

    // SIPp routes responses to its calls by Call-ID, so the caller's Call-ID is set with -cid_str: "<id>-1@127.0.0.1" for call 1.
    private static string NewId(string name) => name + "-" + Guid.NewGuid().ToString("N")[..10];

    private static string CallIdOf(string id) => id + "-1@127.0.0.1";

    private async Task RegisterAsync(string user, int uasPort, string cparams = "")
    {
        using var reg = _node.Sipp("proxy-register.xml", TestEnvironment.FreePort(),
            ["-key", "user", user, "-key", "contact", $"127.0.0.1:{P(uasPort)}", "-key", "cparams", cparams], seconds: 10);
        await reg.SucceedsAsync();
    }

    private Sipp Caller(string scenario, string callee, string cid, params string[] extra) =>
        _node.Sipp(scenario, TestEnvironment.FreePort(),
            ["-key", "caller", "alice", "-key", "callee", callee, "-cid_str", cid + "-%u@%s", "-key", "ftag", "f" + cid[..8], .. extra]);

    private Sipp Callee(string scenario, int port, params string[] extra) =>
        _node.Sipp(scenario, port, ["-key", "totag", "t" + P(port), .. extra]);

    [Fact]
    public async Task BasicCall_CallerHangsUp_PeersSeeInviteAckByeAndCdrComplete()
    {
        var uasPort = TestEnvironment.FreePort();
        await RegisterAsync("bob-basic", uasPort);
        using var uas = Callee("proxy-uas.xml", uasPort);
        var cid = NewId("basic");
        using var uac = Caller("proxy-uac.xml", "bob-basic", cid, "-d", "300");
        await uac.SucceedsAsync();
        await uas.SucceedsAsync();

        Assert.Contains("Record-Route: <sip:127.0.0.1:" + P(_node.SipPort) + ";lr;dlg=", uas.Messages, StringComparison.Ordinal);
        Assert.Contains("ACK sip:127.0.0.1:" + P(uasPort), uas.Messages, StringComparison.Ordinal);
        Assert.Contains("BYE sip:127.0.0.1:" + P(uasPort), uas.Messages, StringComparison.Ordinal);
        var row = await _node.CdrAsync(CallIdOf(cid), Ended);
        Assert.Equal(200, row.GetProperty("finalStatus").GetInt32());
        Assert.Equal("caller", row.GetProperty("hungUpBy").GetString());
        Assert.Equal("bye", row.GetProperty("endReason").GetString());
        Assert.Equal("sip:alice@example.com", row.GetProperty("callerAor").GetString());
        Assert.Equal("sip:bob-basic@example.com", row.GetProperty("calleeAor").GetString());
        Assert.Equal("proxy-e2e-uac", row.GetProperty("userAgent").GetString());
        Assert.Equal(1, row.GetProperty("branchesTried").GetInt32());
        Assert.Equal("127.0.0.1", row.GetProperty("sourceIp").GetString());
        // Times are when the entity recorded each event, so the duration is the hold give or take the journal latency.
        Assert.InRange(row.GetProperty("durationMs").GetInt64(), 1, 5_000);
    }

    [Fact]
    public async Task CalleeHangsUp_ByeReachesCallerAndCdrSaysCallee()
    {
        var uasPort = TestEnvironment.FreePort();
        await RegisterAsync("bob-hangup", uasPort);
        var cid = NewId("hangup");
        using var uas = Callee("proxy-uas-hangup.xml", uasPort, "-d", "300");
        using var uac = Caller("proxy-uac-hungup.xml", "bob-hangup", cid);
        await uac.SucceedsAsync();
        await uas.SucceedsAsync();

        Assert.Contains("BYE sip:alice@127.0.0.1", uac.Messages, StringComparison.Ordinal);
        var row = await _node.CdrAsync(CallIdOf(cid), Ended);
        Assert.Equal("callee", row.GetProperty("hungUpBy").GetString());
        Assert.Equal(200, row.GetProperty("finalStatus").GetInt32());
    }

    [Fact]
    public async Task Rfc3261_16_10_CancelBeforeAnswer_CalleeGetsCancelCallerGets487()
    {
        var uasPort = TestEnvironment.FreePort();
        await RegisterAsync("bob-cancel", uasPort);
        using var uas = Callee("proxy-uas-cancelled.xml", uasPort);
        var cid = NewId("cancel");
        using var uac = Caller("proxy-uac-cancel.xml", "bob-cancel", cid);
        await uac.SucceedsAsync();
        await uas.SucceedsAsync();

        Assert.Contains("CANCEL sip:bob-cancel@127.0.0.1:" + P(uasPort), uas.Messages, StringComparison.Ordinal);
        var row = await _node.CdrAsync(CallIdOf(cid), Ended);
        Assert.Equal(487, row.GetProperty("finalStatus").GetInt32());
        Assert.Equal("caller", row.GetProperty("hungUpBy").GetString());
    }

    [Fact]
    public async Task Busy486_ForwardedToCallerAndCdr486()
    {
        var uasPort = TestEnvironment.FreePort();
        await RegisterAsync("bob-busy", uasPort);
        using var uas = Callee("proxy-uas-busy.xml", uasPort);
        var cid = NewId("busy");
        using var uac = Caller("proxy-uac-reject.xml", "bob-busy", cid);
        await uac.SucceedsAsync();
        await uas.SucceedsAsync();

        Assert.Contains("SIP/2.0 486 Busy Here", uac.Messages, StringComparison.Ordinal);
        var row = await _node.CdrAsync(CallIdOf(cid), Ended);
        Assert.Equal(486, row.GetProperty("finalStatus").GetInt32());
        Assert.Equal("callee", row.GetProperty("hungUpBy").GetString());
    }

    [Fact]
    public async Task UnknownUser_404AndCdr404()
    {
        var cid = NewId("unknown");
        using var uac = Caller("proxy-uac-reject.xml", "nobody-here", cid);
        await uac.SucceedsAsync();

        Assert.Contains("SIP/2.0 404", uac.Messages, StringComparison.Ordinal);
        var row = await _node.CdrAsync(CallIdOf(cid), Ended);
        Assert.Equal(404, row.GetProperty("finalStatus").GetInt32());
        Assert.Equal(0, row.GetProperty("branchesTried").GetInt32());
    }

    [Fact]
    public async Task KnownUserWithoutBinding_480AndCdr480()
    {
        using (var created = await _node.SendAsync(HttpMethod.Post, "/api/users", """{"aor":"sip:carol@example.com","password":"secret"}"""))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        var cid = NewId("offline");
        using var uac = Caller("proxy-uac-reject.xml", "carol", cid);
        await uac.SucceedsAsync();

        Assert.Contains("SIP/2.0 480", uac.Messages, StringComparison.Ordinal);
        var row = await _node.CdrAsync(CallIdOf(cid), Ended);
        Assert.Equal(480, row.GetProperty("finalStatus").GetInt32());
    }

    [Fact]
    public async Task TwoDevices_OneAnswersOtherCancelled()
    {
        var answering = TestEnvironment.FreePort();
        var other = TestEnvironment.FreePort();
        await RegisterAsync("bob-two", answering);
        await RegisterAsync("bob-two", other);
        using var ringing = Callee("proxy-uas-cancelled.xml", other);
        using var uas = Callee("proxy-uas.xml", answering);
        var cid = NewId("fork");
        using var uac = Caller("proxy-uac.xml", "bob-two", cid, "-d", "300");
        await uac.SucceedsAsync();
        await uas.SucceedsAsync();
        await ringing.SucceedsAsync();

        Assert.Contains("CANCEL sip:bob-two@127.0.0.1:" + P(other), ringing.Messages, StringComparison.Ordinal);
        Assert.Contains("Call completed elsewhere", ringing.Messages, StringComparison.Ordinal);
        var row = await _node.CdrAsync(CallIdOf(cid), Ended);
        Assert.Equal(2, row.GetProperty("branchesTried").GetInt32());
        Assert.Contains(P(answering), row.GetProperty("answeringDevice").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SequentialForkByQ_FirstGroupTimesOutSecondAnswers()
    {
        var desk = TestEnvironment.FreePort();
        var mobile = TestEnvironment.FreePort();
        await RegisterAsync("bob-seq", desk, ";q=1.0");
        await RegisterAsync("bob-seq", mobile, ";q=0.5");
        using var deskUas = Callee("proxy-uas-cancelled.xml", desk);
        using var mobileUas = Callee("proxy-uas.xml", mobile);
        var cid = NewId("seq");
        var started = DateTime.UtcNow;
        using var uac = Caller("proxy-uac.xml", "bob-seq", cid, "-d", "300");
        await uac.SucceedsAsync();
        await mobileUas.SucceedsAsync();
        await deskUas.SucceedsAsync();

        Assert.Contains("CANCEL sip:bob-seq@127.0.0.1:" + P(desk), deskUas.Messages, StringComparison.Ordinal);
        var row = await _node.CdrAsync(CallIdOf(cid), Ended);
        Assert.Equal(2, row.GetProperty("branchesTried").GetInt32());
        Assert.Contains(P(mobile), row.GetProperty("answeringDevice").GetString(), StringComparison.Ordinal);

        // The mobile group only started after the desk group's 2 s timeout.
        var answered = row.GetProperty("answerTime").GetDateTimeOffset();
        var setup = row.GetProperty("setupTime").GetDateTimeOffset();
        Assert.True(answered - setup >= TimeSpan.FromSeconds(1.9), $"answered {answered - setup} after setup");
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Handoff_ReInviteFromNewSourceReachesCalleeAndIsRecorded()
    {
        var uasPort = TestEnvironment.FreePort();
        var ltePort = TestEnvironment.FreePort();
        await RegisterAsync("bob-handoff", uasPort);
        using var uas = Callee("proxy-uas-reinvite.xml", uasPort, "-key", "newcontact", "127.0.0.1:" + P(ltePort));
        var cid = NewId("handoff");
        using var uac = Caller("proxy-uac.xml", "bob-handoff", cid, "-d", "4000");

        // Wait until the call is up (the dialog has its callee), then move the caller.
        await WaitForPhaseAsync(CallIdOf(cid), "Confirmed");
        var route = $"sip:127.0.0.1:{P(_node.SipPort)};lr;dlg={RecordRoute.DialogKey(System.Text.Encoding.UTF8.GetBytes(CallIdOf(cid)))}";
        using (var lte = _node.Sipp("proxy-reinvite.xml", ltePort,
                   ["-key", "caller", "alice", "-key", "callee", "bob-handoff", "-cid_str", CallIdOf(cid), "-key", "ftag", "f" + cid[..8],
                    "-key", "totag", "t" + P(uasPort), "-key", "route", route, "-key", "target", "sip:127.0.0.1:" + P(uasPort)], seconds: 10))
        {
            await lte.SucceedsAsync();
        }

        await uac.SucceedsAsync();
        await uas.SucceedsAsync();
        Assert.Contains("Contact: <sip:alice@127.0.0.1:" + P(ltePort) + ">", uas.Messages, StringComparison.Ordinal);

        using var dialog = await _node.SendAsync(HttpMethod.Get, "/api/dialogs/" + Uri.EscapeDataString(CallIdOf(cid)), null);
        var body = await dialog.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("target-refreshed", body, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:" + P(ltePort), body, StringComparison.Ordinal);
        var row = await _node.CdrAsync(CallIdOf(cid), Ended);
        Assert.Equal("caller", row.GetProperty("hungUpBy").GetString());
    }

    private async Task WaitForPhaseAsync(string callId, string phase)
    {
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(10);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await _node.SendAsync(HttpMethod.Get, "/api/dialogs/" + Uri.EscapeDataString(callId), null);
            if (response.IsSuccessStatusCode)
            {
                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                if (doc.RootElement.GetProperty("phase").GetString() == phase)
                {
                    return;
                }
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"dialog {callId} never reached {phase}");
    }
}
