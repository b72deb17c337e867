using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Routing.Edge.Proxy;
using Routing.Edge.Transactions;
using static Routing.Edge.Tests.Proxy.ProxyTestMessages;

namespace Routing.Edge.Tests.Proxy;

/// <summary>RFC 3261 §21.5.4: the proxy bounds the calls it sets up at once and answers new INVITEs beyond it with 503.</summary>
public sealed class ProxyLoadSheddingTests
{
    private readonly FakeClient _client = new();
    private readonly FakeLocation _location = new();
    private readonly FakeDialogs _dialogs = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    public ProxyLoadSheddingTests()
    {
        _location.Users["sip:bob@example.com"] = new LocationResult(LocationStatus.Found,
            [new ProxyTarget("sip:bob@10.0.0.2:5062", null, null, [], "10.0.0.2:5062", "udp")]);
    }

    private ProxyHandler Proxy(int max, TimeSpan? groupTimeout = null) => new(
        new ProxySettings
        {
            SignalingHost = "sip.example.net",
            LocalHosts = ["127.0.0.1"],
            Domains = ["example.com"],
            Authentication = ProxyAuthMode.None,
            RevealUnknownUsers = true,
            ForkGroupTimeout = groupTimeout ?? TimeSpan.FromSeconds(10),
            MaxCallsSettingUp = max,
            OverloadRetryAfterSeconds = 7,
        },
        _client, _location, _dialogs, new FakeCredentials(), null, _time, NullLogger<ProxyHandler>.Instance);

    private static async Task WaitFor(Func<bool> condition)
    {
        var timeout = TimeSpan.FromSeconds(5 * double.Parse(Environment.GetEnvironmentVariable("ROUTING_TEST_TIMEFACTOR") ?? "1", System.Globalization.CultureInfo.InvariantCulture));
        using var cts = new CancellationTokenSource(timeout);
        while (!condition())
        {
            await Task.Yield();
            cts.Token.ThrowIfCancellationRequested();
        }
    }

    private static FakeServerRequest Invite(ProxyHandler proxy, string branch)
    {
        var request = new FakeServerRequest(Parse(ProxyTestMessages.Invite(via: "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK" + branch)));
        Assert.True(proxy.TryHandle(request, RequestTarget.LocalUser));
        return request;
    }

    /// <summary>Starts one call and waits until its branch is out, so that it is being set up.</summary>
    private async Task<FakeServerRequest> Ringing(ProxyHandler proxy, string branch)
    {
        var before = _client.Started.Count;
        var request = Invite(proxy, branch);
        await WaitFor(() => _client.Started.Count == before + 1);
        Assert.Equal(1, proxy.CallsSettingUp);
        return request;
    }

    [Fact]
    public async Task Rfc3261_21_5_4_BoundReached_NewInvite503WithRetryAfter_WithoutAskingTheCluster()
    {
        var p = Proxy(max: 1);
        using var first = await Ringing(p, "one");
        var dialogCalls = _dialogs.Log.Count;

        using var second = Invite(p, "two");

        Assert.Equal(503, await second.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Retry-After: 7\r\n", second.Final!.Value.Text, StringComparison.Ordinal);
        Assert.Equal(1, p.Shed);
        Assert.Equal(1, p.CallsSettingUp);
        Assert.Single(_client.Started);
        Assert.Equal(dialogCalls, _dialogs.Log.Count);
        Assert.Null(first.Final);
    }

    [Fact]
    public async Task InDialogRequests_AtTheBound_StillForwarded()
    {
        var p = Proxy(max: 1);
        using var first = await Ringing(p, "one");
        _dialogs.Route = new InDialogTarget(InDialogStatus.Routed,
            new CallParty("sip:bob@example.com", "sip:bob@10.0.0.2:5062", "10.0.0.2:5062", "udp", null, null, null, null), CallSide.Callee);
        var reInvite = """
            INVITE sip:bob@10.0.0.2:5062 SIP/2.0
            Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKreinvite
            Max-Forwards: 70
            Route: <sip:sip.example.net;lr;dlg=abc>
            From: <sip:alice@example.com>;tag=f1
            To: <sip:bob@example.com>;tag=t1
            Call-ID: c2@10.0.0.1
            CSeq: 2 INVITE
            Contact: <sip:alice@10.0.0.1:5060>
            Content-Length: 0


            """;
        using var request = new FakeServerRequest(Parse(reInvite));

        Assert.True(p.TryHandle(request, RequestTarget.LocalUser));
        await WaitFor(() => _client.Started.Count == 2);
        Assert.StartsWith("INVITE sip:bob@10.0.0.2:5062 ", _client.Started[1].Text, StringComparison.Ordinal);
        _client.Respond(1, 200, "t1");
        Assert.Equal(200, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, p.Shed);
        Assert.Equal(1, p.CallsSettingUp);
    }

    [Fact]
    public async Task CounterBackToZero_After2xx_AndTheNextCallIsTaken()
    {
        var p = Proxy(max: 1);
        using var first = await Ringing(p, "one");
        _client.Respond(0, 180, "t0");
        Assert.Equal(1, p.CallsSettingUp);
        _client.Respond(0, 200, "t0");
        Assert.Equal(200, await first.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, p.CallsSettingUp);

        // A second 2xx of a fork is forwarded too (§16.7 step 5) but gives nothing back twice.
        _client.Respond(0, 200, "t9");
        Assert.Equal(0, p.CallsSettingUp);

        using var next = await Ringing(p, "two");
        Assert.Equal(0, p.Shed);
    }

    [Fact]
    public async Task CounterBackToZero_AfterErrorResponse()
    {
        var p = Proxy(max: 1);
        using var first = await Ringing(p, "one");
        _client.Respond(0, 486, "t0");
        Assert.Equal(486, await first.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, p.CallsSettingUp);
    }

    [Fact]
    public async Task CounterBackToZero_AfterProxyRefusal()
    {
        var p = Proxy(max: 1);
        _location.Users.Clear();
        using var request = Invite(p, "one");
        Assert.Equal(404, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, p.CallsSettingUp);
    }

    [Fact]
    public async Task Rfc3261_16_10_CounterBackToZero_AfterCancelAnd487()
    {
        var p = Proxy(max: 1);
        using var first = await Ringing(p, "one");
        _client.Respond(0, 180, "t0");
        first.CancelByCaller();
        Assert.Single(_client.Cancelled);
        Assert.Equal(1, p.CallsSettingUp);
        _client.Respond(0, 487, "t0");
        Assert.Equal(487, await first.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, p.CallsSettingUp);
    }

    [Fact]
    public async Task CounterBackToZero_AfterTimeout()
    {
        // Two q-groups: the first rings out on the fake clock, the second's transaction times out (Timer B).
        _location.Users["sip:bob@example.com"] = new LocationResult(LocationStatus.Found,
        [
            new ProxyTarget("sip:bob@10.0.0.2:5062", 1000, null, [], "10.0.0.2:5062", "udp"),
            new ProxyTarget("sip:bob@10.0.0.3:5064", 500, null, [], "10.0.0.3:5064", "udp"),
        ]);
        var p = Proxy(max: 1, groupTimeout: TimeSpan.FromSeconds(10));
        using var first = await Ringing(p, "one");

        _time.Advance(TimeSpan.FromSeconds(11));
        await WaitFor(() => _client.Started.Count == 2);
        Assert.Equal(1, p.CallsSettingUp);
        _client.Fail(0, ClientTransactionFailure.Timeout);
        Assert.Equal(1, p.CallsSettingUp);
        _client.Fail(1, ClientTransactionFailure.Timeout);

        Assert.Equal(408, await first.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, p.CallsSettingUp);
    }
}
