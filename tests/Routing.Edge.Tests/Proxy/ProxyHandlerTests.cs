using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Routing.Edge.Proxy;
using Routing.Edge.Transactions;
using Routing.Sip.Auth;
using static Routing.Edge.Tests.Proxy.ProxyTestMessages;

namespace Routing.Edge.Tests.Proxy;

public sealed class ProxyHandlerTests
{
    private readonly FakeClient _client = new();
    private readonly FakeLocation _location = new();
    private readonly FakeDialogs _dialogs = new();
    private readonly FakeCredentials _credentials = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    private ProxyHandler Proxy(ProxyAuthMode auth = ProxyAuthMode.None, bool reveal = true) => new(
        new ProxySettings
        {
            SignalingHost = "sip.example.net",
            LocalHosts = ["127.0.0.1"],
            Domains = ["example.com"],
            Authentication = auth,
            RevealUnknownUsers = reveal,
            ForkGroupTimeout = TimeSpan.FromSeconds(10),
        },
        _client, _location, _dialogs, _credentials, new DigestNonceService(new DigestNonceOptions { Secret = new byte[32] }), _time,
        NullLogger<ProxyHandler>.Instance);

    private static ProxyTarget Binding(string contact, int? q = null, string? instance = null, string? flowToken = null) =>
        new(contact, q, instance, flowToken is null ? [] : [$"<sip:{flowToken}@127.0.0.1;lr;ob>"], contact[(contact.IndexOf('@') + 1)..], "udp");

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

    private static async Task<FakeServerRequest> Handle(ProxyHandler proxy, string text, string remote = "10.0.0.1:5060")
    {
        var request = new FakeServerRequest(Parse(text), remote);
        Assert.True(proxy.TryHandle(request, RequestTarget.LocalUser));
        await Task.Yield();
        return request;
    }

    [Fact]
    public async Task Rfc3261_16_5_UnknownUser_404()
    {
        var request = await Handle(Proxy(), Invite());
        Assert.Equal(404, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UnknownUser_WithUserHiding_480()
    {
        var request = await Handle(Proxy(reveal: false), Invite());
        Assert.Equal(480, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task KnownUserWithoutBinding_480()
    {
        _location.Users["sip:bob@example.com"] = LocationResult.Of(LocationStatus.NoBindings);
        var request = await Handle(Proxy(), Invite());
        Assert.Equal(480, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Rfc3261_22_3_DigestMode_ServedCallerWithoutCredentials_407()
    {
        var request = await Handle(Proxy(ProxyAuthMode.Digest), Invite());
        Assert.Equal(407, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Contains("Proxy-Authenticate: Digest realm=\"example.com\"", request.Final!.Value.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rfc3261_22_3_WrongCredentials_403()
    {
        _credentials.Verdict = CredentialVerdict.Rejected;
        var request = await Handle(Proxy(ProxyAuthMode.Digest), Invite(extra: "Proxy-Authorization: Digest username=\"alice\"\n"));
        Assert.Equal(403, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ParallelFork_OneAnswers_OtherCancelledAnd200Forwarded()
    {
        _location.Users["sip:bob@example.com"] = new LocationResult(LocationStatus.Found,
            [Binding("sip:bob@10.0.0.2:5062", instance: "<urn:uuid:desk>"), Binding("sip:bob@10.0.0.3:5064", instance: "<urn:uuid:phone>")]);
        var request = await Handle(Proxy(), Invite());
        await WaitFor(() => _client.Started.Count == 2);

        var first = _client.Started[0].Text;
        Assert.StartsWith("INVITE sip:bob@10.0.0.2:5062 SIP/2.0\r\n", first, StringComparison.Ordinal);
        Assert.Contains("Max-Forwards: 69\r\n", first, StringComparison.Ordinal);
        Assert.Contains("Record-Route: <sip:sip.example.net;lr;dlg=", first, StringComparison.Ordinal);
        Assert.StartsWith("z9hG4bKrc", _client.Started[1].Handle.Branch, StringComparison.Ordinal);

        _client.Respond(0, 180, "t0");
        _client.Respond(1, 200, "t1");
        Assert.Equal([180, 200], request.Sent.ConvertAll(s => s.Status));
        Assert.DoesNotContain("z9hG4bKrc", request.Sent[1].Text, StringComparison.Ordinal);
        var cancelled = Assert.Single(_client.Cancelled);
        Assert.Same(_client.Started[0].Handle, cancelled.Handle);
        Assert.Contains("Call completed elsewhere", cancelled.Reason, StringComparison.Ordinal);
        _client.Respond(0, 487, "t0");
        Assert.Equal(2, request.Sent.Count);
        Assert.Contains("answered 1 t1 sip:bob@10.0.0.2:5062", _dialogs.Log);
        Assert.Contains("provisional 0 180", _dialogs.Log);
    }

    [Fact]
    public async Task SequentialFork_FirstGroupTimesOut_SecondGroupRings()
    {
        _location.Users["sip:bob@example.com"] = new LocationResult(LocationStatus.Found,
            [Binding("sip:bob@10.0.0.3:5064", q: 500), Binding("sip:bob@10.0.0.2:5062", q: 1000)]);
        var request = await Handle(Proxy(), Invite());
        await WaitFor(() => _client.Started.Count == 1);
        Assert.StartsWith("INVITE sip:bob@10.0.0.2:5062 ", _client.Started[0].Text, StringComparison.Ordinal);
        _client.Respond(0, 180, "t0");

        _time.Advance(TimeSpan.FromSeconds(11));
        await WaitFor(() => _client.Started.Count == 2);
        Assert.Same(_client.Started[0].Handle, Assert.Single(_client.Cancelled).Handle);
        Assert.StartsWith("INVITE sip:bob@10.0.0.3:5064 ", _client.Started[1].Text, StringComparison.Ordinal);
        _client.Respond(0, 487, "t0");
        _client.Respond(1, 200, "t1");
        Assert.Equal(200, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Busy_486ForwardedAndDialogFailed()
    {
        _location.Users["sip:bob@example.com"] = new LocationResult(LocationStatus.Found, [Binding("sip:bob@10.0.0.2:5062")]);
        var request = await Handle(Proxy(), Invite());
        await WaitFor(() => _client.Started.Count == 1);
        _client.Respond(0, 486);
        Assert.Equal(486, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Contains("failed 486 Callee", _dialogs.Log);
    }

    [Fact]
    public async Task Rfc3261_16_10_CallerCancels_BranchCancelledAnd487()
    {
        _location.Users["sip:bob@example.com"] = new LocationResult(LocationStatus.Found, [Binding("sip:bob@10.0.0.2:5062")]);
        var request = await Handle(Proxy(), Invite());
        await WaitFor(() => _client.Started.Count == 1);
        _client.Respond(0, 180);
        request.CancelByCaller();
        Assert.Single(_client.Cancelled);
        _client.Respond(0, 487);
        Assert.Equal(487, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Contains("failed 487 Caller", _dialogs.Log);
    }

    [Fact]
    public async Task NoBranchAnswers_408()
    {
        _location.Users["sip:bob@example.com"] = new LocationResult(LocationStatus.Found, [Binding("sip:bob@10.0.0.2:5062")]);
        var request = await Handle(Proxy(), Invite());
        await WaitFor(() => _client.Started.Count == 1);
        _client.Fail(0, ClientTransactionFailure.Timeout);
        Assert.Equal(408, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(ClientTransactionFailure.Timeout, 0)]
    [InlineData(ClientTransactionFailure.TransportError, 500)]
    public async Task Rfc4320_4_2_MessageNoBranchAnswers_NoResponseOnTimeout500OnTransportErrorNever408(ClientTransactionFailure failure, int expected)
    {
        _location.Users["sip:bob@example.com"] = new LocationResult(LocationStatus.Found, [Binding("sip:bob@10.0.0.2:5062")]);
        var message = Invite().Replace("INVITE sip:", "MESSAGE sip:", StringComparison.Ordinal).Replace("CSeq: 1 INVITE", "CSeq: 1 MESSAGE", StringComparison.Ordinal);
        var request = await Handle(Proxy(), message);
        await WaitFor(() => _client.Started.Count == 1);
        Assert.StartsWith("MESSAGE ", _client.Started[0].Text, StringComparison.Ordinal);

        _client.Fail(0, failure);

        Assert.Equal(expected, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(expected == 0, request.GaveUpSilently);
        Assert.DoesNotContain(request.Sent, r => r.Status == 408);
    }

    [Fact]
    public async Task Rfc4320_4_2_InDialogBye_408FromTheOtherParty_NotPassedOn()
    {
        _dialogs.Route = new InDialogTarget(InDialogStatus.Routed,
            new CallParty("sip:alice@example.com", "sip:alice@10.0.0.1:5060", "10.0.0.1:5060", "udp", null, null, null, null), CallSide.Caller);
        var request = new FakeServerRequest(Parse(ByeFromCallee), "10.0.0.2:5062");
        Assert.True(Proxy().TryHandle(request, RequestTarget.LocalUser));
        await WaitFor(() => _client.Started.Count == 1);

        _client.Respond(0, 408, "f1");

        Assert.Equal(0, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.True(request.GaveUpSilently);
    }

    [Theory]
    [InlineData("BYE", ClientTransactionFailure.Timeout, 0)]
    [InlineData("INVITE", ClientTransactionFailure.Timeout, 408)]
    [InlineData("BYE", ClientTransactionFailure.TransportError, 500)]
    public async Task Rfc4320_4_2_InDialogLegFails_408OnlyToAReInvite(string method, ClientTransactionFailure failure, int expected)
    {
        _dialogs.Route = new InDialogTarget(InDialogStatus.Routed,
            new CallParty("sip:alice@example.com", "sip:alice@10.0.0.1:5060", "10.0.0.1:5060", "udp", null, null, null, null), CallSide.Caller);
        var text = ByeFromCallee.Replace("BYE sip:", method + " sip:", StringComparison.Ordinal).Replace("CSeq: 2 BYE", "CSeq: 2 " + method, StringComparison.Ordinal);
        var request = new FakeServerRequest(Parse(text), "10.0.0.2:5062");
        Assert.True(Proxy().TryHandle(request, RequestTarget.LocalUser));
        await WaitFor(() => _client.Started.Count == 1);

        _client.Fail(0, failure);

        Assert.Equal(expected, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(expected == 0, request.GaveUpSilently);
    }

    [Fact]
    public async Task Rfc5626_BindingWithFlowToken_SentOnTheFlow()
    {
        _location.Users["sip:bob@example.com"] = new LocationResult(LocationStatus.Found, [Binding("sip:bob@10.0.0.2:5062", flowToken: "FLOW1")]);
        await Handle(Proxy(), Invite());
        await WaitFor(() => _client.Started.Count == 1);
        Assert.Equal("FLOW1", _client.Started[0].Handle.Destination.FlowToken);
        Assert.DoesNotContain("\r\nRoute:", _client.Started[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InDialogBye_RoutedToOtherPartysFlowWithOurRouteRemoved()
    {
        _dialogs.Route = new InDialogTarget(InDialogStatus.Routed,
            new CallParty("sip:alice@example.com", "sip:alice@10.0.0.1:5060", "10.0.0.1:5060", "tcp", "tok-a", null, null, null), CallSide.Caller);
        var bye = """
            BYE sip:alice@10.0.0.1:5060 SIP/2.0
            Via: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bKbye
            Max-Forwards: 70
            Route: <sip:sip.example.net;lr;dlg=abc>
            From: <sip:bob@example.com>;tag=t1
            To: <sip:alice@example.com>;tag=f1
            Call-ID: c1@10.0.0.1
            CSeq: 2 BYE
            Content-Length: 0


            """;
        var request = new FakeServerRequest(Parse(bye), "10.0.0.2:5062");
        Assert.True(Proxy().TryHandle(request, RequestTarget.LocalUser));
        await WaitFor(() => _client.Started.Count == 1);
        Assert.Equal("tok-a", _client.Started[0].Handle.Destination.FlowToken);
        Assert.DoesNotContain("\r\nRoute:", _client.Started[0].Text, StringComparison.Ordinal);
        Assert.Equal("BYE", _dialogs.Routed[0].Key.Method);
        _client.Respond(0, 200, "f1");
        Assert.Equal(200, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
    }

    private const string ByeFromCallee = """
        BYE sip:alice@10.0.0.1:5060 SIP/2.0
        Via: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bKbye
        Max-Forwards: 70
        Route: <sip:sip.example.net;lr;dlg=abc>
        From: <sip:bob@example.com>;tag=t1
        To: <sip:alice@example.com>;tag=f1
        Call-ID: c1@10.0.0.1
        CSeq: 2 BYE
        Content-Length: 0


        """;

    /// <summary>
    /// Lets the handler's pause between two asks of the dialog entity pass (it is waiting on the fake clock). The ask
    /// is recorded just before the pause starts, so the clock moves again until the next ask shows; it cannot skip a
    /// pause, since the next one starts only after that ask.
    /// </summary>
    private async Task PassRecheck(FakeServerRequest request, int asked, TimeSpan pause)
    {
        await WaitFor(() => _dialogs.Routed.Count == asked);
        for (var n = 0; n < 1000 && _dialogs.Routed.Count == asked && !request.FinalSent.Task.IsCompleted; n++)
        {
            _time.Advance(pause);
            await Task.Yield();
        }
    }

    [Fact]
    public async Task Rfc3261_12_2_2_InDialog_UnknownDialog_481AfterTheRechecks()
    {
        var request = new FakeServerRequest(Parse(ByeFromCallee));
        Assert.True(Proxy().TryHandle(request, RequestTarget.LocalUser));
        for (var i = 0; i < ProxyHandler.InDialogRecheck.Length; i++)
        {
            Assert.False(request.FinalSent.Task.IsCompleted, "481 before the last recheck");
            await PassRecheck(request, i + 1, ProxyHandler.InDialogRecheck[i]);
        }

        Assert.Equal(481, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Equal(ProxyHandler.InDialogRecheck.Length + 1, _dialogs.Routed.Count);
        Assert.Empty(_client.Started);
    }

    [Fact]
    public async Task Rfc3261_12_2_2_InDialog_DialogEnded_481AtOnceWithoutRecheck()
    {
        _dialogs.Route = new InDialogTarget(InDialogStatus.Ended, null, CallSide.Caller);
        var request = new FakeServerRequest(Parse(ByeFromCallee));
        Assert.True(Proxy().TryHandle(request, RequestTarget.LocalUser));

        Assert.Equal(481, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
        Assert.Single(_dialogs.Routed);
    }

    [Theory]
    [InlineData(InDialogStatus.NoSuchDialog)]
    [InlineData(InDialogStatus.NotAnswered)]
    public async Task InDialogBye_AnswerRecordedWhileItWaits_ForwardedNot481(InDialogStatus before)
    {
        // After a shard hand-off the recording of the 2xx is redelivered; a BYE that reached the entity first is
        // asked about again instead of failing the call with 481.
        _dialogs.Route = new InDialogTarget(before, null, CallSide.Caller);
        var request = new FakeServerRequest(Parse(ByeFromCallee), "10.0.0.2:5062");
        Assert.True(Proxy().TryHandle(request, RequestTarget.LocalUser));
        await PassRecheck(request, 1, ProxyHandler.InDialogRecheck[0]);
        await WaitFor(() => _dialogs.Routed.Count == 2);
        Assert.False(request.FinalSent.Task.IsCompleted);

        _dialogs.Route = new InDialogTarget(InDialogStatus.Routed,
            new CallParty("sip:alice@example.com", "sip:alice@10.0.0.1:5060", "10.0.0.1:5060", "udp", null, null, null, null), CallSide.Caller);
        _time.Advance(ProxyHandler.InDialogRecheck[1]);
        await WaitFor(() => _client.Started.Count == 1);
        Assert.Equal(3, _dialogs.Routed.Count);
        _client.Respond(0, 200, "f1");
        Assert.Equal(200, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Rfc5626_5_3_FlowGone_ReResolvedByInstanceAndRetried()
    {
        _dialogs.Route = new InDialogTarget(InDialogStatus.Routed,
            new CallParty("sip:bob@example.com", "sip:bob@10.0.0.2:5062", "10.0.0.2:5062", "tcp", "tok-old", "<urn:uuid:b>", null, null), CallSide.Callee);
        _location.Users["sip:bob@example.com"] = new LocationResult(LocationStatus.Found,
            [new ProxyTarget("sip:bob@192.0.2.9:40000", null, "<urn:uuid:b>", ["<sip:tok-new@127.0.0.1;lr;ob>"], "192.0.2.9:40000", "tcp")]);
        var info = """
            INFO sip:bob@10.0.0.2:5062 SIP/2.0
            Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKinfo
            Max-Forwards: 70
            Route: <sip:sip.example.net;lr;dlg=abc>
            From: <sip:alice@example.com>;tag=f1
            To: <sip:bob@example.com>;tag=t1
            Call-ID: c1@10.0.0.1
            CSeq: 3 INFO
            Content-Length: 0


            """;
        var request = new FakeServerRequest(Parse(info));
        Assert.True(Proxy().TryHandle(request, RequestTarget.LocalUser));
        await WaitFor(() => _client.Started.Count == 1);
        _client.Fail(0, ClientTransactionFailure.FlowGone);
        await WaitFor(() => _client.Started.Count == 2);
        Assert.Equal("tok-new", _client.Started[1].Handle.Destination.FlowToken);
        Assert.Contains("replaced Callee tok-new", _dialogs.Log);
    }

    /// <summary>An ACK for a 2xx from alice (10.0.0.1), routed by our Record-Route (dlg key abc).</summary>
    private static string AckFor2xx(string requestUri = "sip:bob@10.0.0.2:5062", string branch = "z9hG4bKack", string callId = "c1@10.0.0.1") => $"""
        ACK {requestUri} SIP/2.0
        Via: SIP/2.0/UDP 10.0.0.1:5060;branch={branch}
        Max-Forwards: 70
        Route: <sip:sip.example.net;lr;dlg=abc>
        From: <sip:alice@example.com>;tag=f1
        To: <sip:bob@example.com>;tag=t1
        Call-ID: {callId}
        CSeq: 1 ACK
        Content-Length: 0


        """;

    private static Routing.Sip.Transport.SipInboundContext FromAlice() => new(Routing.Sip.Transport.SipTransportKind.Udp,
        System.Net.IPEndPoint.Parse("127.0.0.1:5060"), System.Net.IPEndPoint.Parse("10.0.0.1:5060"), new NullSender());

    [Fact]
    public async Task Rfc3261_16_6_AckFor2xx_ForwardedStatelesslyToCallee()
    {
        _dialogs.Route = new InDialogTarget(InDialogStatus.Routed,
            new CallParty("sip:bob@example.com", "sip:bob@10.0.0.2:5062", "10.0.0.2:5062", "udp", null, null, null, null), CallSide.Callee);
        var ack = AckFor2xx();
        using var m = Parse(ack);
        var context = FromAlice();
        Assert.True(Proxy().TryHandleAck(m, context, RequestTarget.LocalUser));
        await WaitFor(() => _client.Acks.Count == 1);
        Assert.Equal("10.0.0.2:5062", _client.Acks[0].Destination.EndPoint!.ToString());
        Assert.Contains("Max-Forwards: 69", _client.Acks[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rfc3261_16_11_RetransmittedAckFor2xx_ForwardedWithTheSameBranch_AnotherAckWithAnother()
    {
        // A callee that retransmits its 200 gets the caller's ACK again; a fresh branch on the copy would make it a
        // second, different ACK to the callee (SIPp aborts the call on it).
        _dialogs.Route = new InDialogTarget(InDialogStatus.Routed,
            new CallParty("sip:bob@example.com", "sip:bob@10.0.0.2:5062", "10.0.0.2:5062", "udp", null, null, null, null), CallSide.Callee);
        var context = FromAlice();
        var proxy = Proxy();
        foreach (var branch in new[] { "z9hG4bKack1", "z9hG4bKack1", "z9hG4bKack2" })
        {
            using var m = Parse(AckFor2xx(branch: branch));
            Assert.True(proxy.TryHandleAck(m, context, RequestTarget.LocalUser));
        }

        await WaitFor(() => _client.Acks.Count == 3);
        var branches = _client.Acks.Select(a => a.Branch).ToList();
        Assert.All(branches, b => Assert.StartsWith("z9hG4bK", b, StringComparison.Ordinal));
        // The ACKs may be sent in any order (each waits for its own route); the two copies share a branch, the other not.
        Assert.Equal(2, branches.Distinct().Count());
        Assert.Single(branches.GroupBy(b => b), g => g.Count() == 2);
    }

    [Theory]
    [InlineData(InDialogStatus.NotAnswered)]
    [InlineData(InDialogStatus.Unavailable)]
    public async Task Rfc3261_16_12_AckFor2xxTheDialogCannotRouteYet_ForwardedToItsRequestUri(InDialogStatus status)
    {
        // In a cluster the ACK can reach the dialog entity (through another member) before the 2xx was recorded.
        _dialogs.Route = new InDialogTarget(status, null, CallSide.Caller);
        using var m = Parse(AckFor2xx());
        var context = FromAlice();

        Assert.True(Proxy().TryHandleAck(m, context, RequestTarget.LocalUser));

        await WaitFor(() => _client.Acks.Count == 1);
        Assert.Equal("10.0.0.2:5062", _client.Acks[0].Destination.EndPoint!.ToString());
        Assert.DoesNotContain("Route:", _client.Acks[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AckFor2xx_CallIdTheClusterDoesNotKnow_NotRelayedToItsRequestUri()
    {
        // The dlg key in a Route is a hash of the Call-ID, not a secret: relaying such ACKs would make the proxy an
        // open reflector to any address.
        _dialogs.Route = new InDialogTarget(InDialogStatus.NoSuchDialog, null, CallSide.Caller);
        using var m = Parse(AckFor2xx(requestUri: "sip:x@10.0.0.5:22", callId: "unknown@10.0.0.1"));
        var context = FromAlice();

        Assert.True(Proxy().TryHandleAck(m, context, RequestTarget.LocalUser));

        await WaitFor(() => _dialogs.Routed.Count == 1);
        Assert.Empty(_client.Acks);
    }

    [Fact]
    public async Task AckFor2xxTheDialogCannotRoute_RequestUriWithoutIpLiteral_NotForwarded()
    {
        _dialogs.Route = new InDialogTarget(InDialogStatus.NoSuchDialog, null, CallSide.Caller);
        using var m = Parse(AckFor2xx(requestUri: "sip:bob@phone.example.org"));
        var context = FromAlice();

        Assert.True(Proxy().TryHandleAck(m, context, RequestTarget.LocalUser));

        await WaitFor(() => _dialogs.Routed.Count == 1);
        Assert.Empty(_client.Acks);
    }

    [Fact]
    public async Task Rfc5393_MaxBreadthTooSmallForParallelBranches_440()
    {
        _location.Users["sip:bob@example.com"] = new LocationResult(LocationStatus.Found,
            [Binding("sip:bob@10.0.0.2:5062"), Binding("sip:bob@10.0.0.3:5064")]);
        var request = await Handle(Proxy(), Invite(extra: "Max-Breadth: 1\n"));
        Assert.Equal(440, await request.FinalSent.Task.WaitAsync(TestContext.Current.CancellationToken));
    }
}
