using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Routing.Edge.Registrar;
using Routing.Sip.Auth;
using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Edge.Tests.Registrar;

/// <summary>Answers with a canned result and records the commands it got.</summary>
internal sealed class FakeRegistrar : IRegistrar
{
    public List<RegisterCommand> Commands { get; } = [];

    public Func<RegisterCommand, RegisterResult> Answer { get; set; } = c =>
        new RegisterResult(RegisterStatus.Ok, [.. c.Contacts.Select(x => new RegisteredContact(x.Uri, x.Parameters, x.Expires ?? c.HeaderExpires ?? 3600))], 0, false);

    public Task<RegisterResult> RegisterAsync(RegisterCommand command, CancellationToken cancellationToken)
    {
        Commands.Add(command);
        return Task.FromResult(Answer(command));
    }
}

/// <summary>A server transaction stand-in that records the TU's answer.</summary>
internal sealed class RecordingServerRequest(SipMessage message, SipInboundContext source) : Routing.Edge.Transactions.EdgeServerRequest
{
    private bool _answered;

    public TaskCompletionSource<(int Status, string Headers)> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override SipMessage Message => message;

    public override SipInboundContext Source => source;

    public override string ToTag => "t1";

    public override CancellationToken Cancelled => CancellationToken.None;

    public override bool Answered => _answered;

    public override Routing.Edge.Transactions.ServerRespondResult Respond(int status, string? reasonPhrase = null, string? extraHeaders = null,
        string? contentType = null, ReadOnlyMemory<byte> body = default)
    {
        _answered = true;
        Answer.TrySetResult((status, extraHeaders ?? string.Empty));
        return Routing.Edge.Transactions.ServerRespondResult.Accepted;
    }

    public override Routing.Edge.Transactions.ServerRespondResult Forward(int status, ReadOnlyMemory<byte> response) =>
        Routing.Edge.Transactions.ServerRespondResult.InvalidStatus;

    /// <summary>Recorded as status 0: given up without a response.</summary>
    public override Routing.Edge.Transactions.ServerRespondResult GiveUp(string? extraHeaders = null)
    {
        _answered = true;
        Answer.TrySetResult((0, string.Empty));
        return Routing.Edge.Transactions.ServerRespondResult.Accepted;
    }
}

/// <summary>Holds every answer until the test releases it.</summary>
internal sealed class GatedRegistrar(Task<RegisterResult> gate) : IRegistrar
{
    private int _calls;

    public int Calls => _calls;

    public Task<RegisterResult> RegisterAsync(RegisterCommand command, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return gate;
    }
}

public sealed class RegisterHandlerTests : IDisposable
{
    private static readonly IPEndPoint Remote = new(IPAddress.Parse("198.51.100.7"), 40000);
    private static readonly IPEndPoint Local = new(IPAddress.Parse("127.0.0.1"), 5060);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly RegistrarEdgeMetrics _metrics = new();
    private readonly FakeRegistrar _registrar = new();
    private readonly DigestNonceService _nonces = new(new DigestNonceOptions { Secret = new byte[32] });

    public void Dispose() => _metrics.Dispose();

    private RegisterHandler Handler(bool digest = false, IReadOnlyList<string>? domains = null, int sourceLockout = 20, int maxInFlight = 2000) =>
        new(new RegisterHandlerOptions
            {
                Digest = digest, Domains = domains ?? ["example.com"], SourceLockoutAttempts = sourceLockout,
                MaxInFlight = maxInFlight,
            },
            _registrar, _nonces, _time, _metrics);

    private static string Request(string contact = "Contact: <sip:alice@192.0.2.10:5060>", string extra = "", string to = "sip:alice@example.com") => $"""
        REGISTER sip:example.com SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKreg1;rport
        Max-Forwards: 70
        From: <{to}>;tag=f1
        To: <{to}>
        Call-ID: reg-call-1@192.0.2.10
        CSeq: 7 REGISTER
        {contact}
        Expires: 1800
        User-Agent: test-phone/2.1
        {extra}Content-Length: 0


        """;

    private static async Task<SipReply> Handle(RegisterHandler handler, string text, string? flowToken = null,
        SipTransportKind transport = SipTransportKind.Udp)
    {
        var parsed = SipParser.ParseDatagram(EdgeHarness.Wire(text.Replace("        \r\n", "", StringComparison.Ordinal).Replace("\n\n\n", "\n\n", StringComparison.Ordinal)));
        using var message = parsed.Message;
        Assert.Equal(SipParseStatus.Message, parsed.Status);
        var reply = await handler.HandleAsync(message!, Remote, Local, transport, TestContext.Current.CancellationToken, flowToken);
        Assert.NotNull(reply);
        return reply;
    }

    [Fact]
    public async Task Register_Accepted_Answers200WithEveryBindingAndItsExpiry()
    {
        var reply = await Handle(Handler(), Request());

        Assert.Equal(200, reply.Status);
        Assert.Contains("Contact: <sip:alice@192.0.2.10:5060>;expires=1800\r\n", reply.Headers, StringComparison.Ordinal);
        Assert.Contains("Date: Thu, 26 Nov 2026 12:00:00 GMT\r\n", reply.Headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_Command_CarriesNormalizedAorCallIdCSeqUserAgentAndSource()
    {
        await Handle(Handler(), Request(to: "sip:alice@EXAMPLE.com;transport=udp"));

        var c = Assert.Single(_registrar.Commands);
        Assert.Equal("sip:alice@example.com", c.Aor);
        Assert.Equal("reg-call-1@192.0.2.10", c.CallId);
        Assert.Equal(7, c.CSeq);
        Assert.Equal(1800u, c.HeaderExpires);
        Assert.Equal("test-phone/2.1", c.UserAgent);
        Assert.Equal("198.51.100.7:40000", c.SourceAddress);
        Assert.Equal("udp", c.Transport);
    }

    [Fact]
    public async Task Rfc3608_6_Accepted_ReturnsServiceRoute()
    {
        var reply = await Handle(Handler(), Request());

        Assert.Contains("Service-Route: <sip:127.0.0.1:5060;lr>\r\n", reply.Headers, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SipTransportKind.Tcp, ";transport=tcp")]
    [InlineData(SipTransportKind.Tls, ";transport=tls")]
    public async Task Rfc3608_6_AcceptedOverAStream_ServiceRouteNamesItsTransport(SipTransportKind transport, string parameter)
    {
        var reply = await Handle(Handler(), Request(), transport: transport);

        Assert.Contains("Service-Route: <sip:127.0.0.1:5060" + parameter + ";lr>\r\n", reply.Headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rfc4475_3_3_12_ContactParamWithoutBrackets_IsAContactParameter()
    {
        await Handle(Handler(), Request("Contact: sip:+19725552222@gw1.example.net;unknownparam"));

        var contact = Assert.Single(Assert.Single(_registrar.Commands).Contacts);
        Assert.Equal("sip:+19725552222@gw1.example.net", contact.Uri);
        Assert.Equal(";unknownparam", contact.Parameters);
    }

    [Fact]
    public async Task Rfc4475_3_3_13_ParamInsideBrackets_IsAUriParameter()
    {
        await Handle(Handler(), Request("Contact: <sip:+19725552222@gw1.example.net;unknownparam>"));

        var contact = Assert.Single(Assert.Single(_registrar.Commands).Contacts);
        Assert.Equal("sip:+19725552222@gw1.example.net;unknownparam", contact.Uri);
        Assert.Equal(string.Empty, contact.Parameters);
    }

    [Fact]
    public async Task Rfc4475_3_3_14_EscapedHeaderInsideContact_IsKeptInTheUri()
    {
        var reply = await Handle(Handler(), Request("M: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>"));

        Assert.Equal("sip:user@example.com?Route=%3Csip:sip.example.com%3E", Assert.Single(Assert.Single(_registrar.Commands).Contacts).Uri);
        Assert.Contains("Contact: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>;expires=1800", reply.Headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_ContactParams_AreSplitIntoExpiresQInstanceAndRegId()
    {
        await Handle(Handler(), Request("Contact: <sip:alice@192.0.2.10>;q=0.7;expires=600;+sip.instance=\"<urn:uuid:f81d4fae>\";reg-id=2;pn-provider=apns"));

        var contact = Assert.Single(Assert.Single(_registrar.Commands).Contacts);
        Assert.Equal(600u, contact.Expires);
        Assert.Equal(700, contact.Q);
        Assert.Equal("<urn:uuid:f81d4fae>", contact.Instance);
        Assert.Equal(2, contact.RegId);
        Assert.Contains("pn-provider=apns", contact.Parameters, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_ContactStar_IsPassedAsStar()
    {
        await Handle(Handler(), Request("Contact: *").Replace("Expires: 1800", "Expires: 0", StringComparison.Ordinal));

        var c = Assert.Single(_registrar.Commands);
        Assert.True(c.Star);
        Assert.Empty(c.Contacts);
        Assert.Equal(0u, c.HeaderExpires);
    }

    [Fact]
    public async Task Rfc3261_10_3_Step2_UnknownRequire_Answers420WithUnsupported()
    {
        var reply = await Handle(Handler(), Request(extra: "Require: nosuchext\n"));

        Assert.Equal(420, reply.Status);
        Assert.Equal("Unsupported: nosuchext\r\n", reply.Headers);
        Assert.Empty(_registrar.Commands);
    }

    [Fact]
    public async Task Rfc3261_10_3_Step5_AorOfAnotherDomain_Answers404()
    {
        var reply = await Handle(Handler(), Request(to: "sip:alice@elsewhere.org"));

        Assert.Equal(404, reply.Status);
        Assert.Empty(_registrar.Commands);
    }

    [Fact]
    public async Task Rfc3261_10_3_Step5_DigestWithDomainsConfigured_AorOfAnotherDomainAnswers404()
    {
        var reply = await Handle(Handler(digest: true), Request(to: "sip:alice@elsewhere.org"));

        Assert.Equal(404, reply.Status);
    }

    [Fact]
    public async Task Register_DigestWithoutConfiguredDomains_AnyDomainIsLeftToTheUserEntity()
    {
        var reply = await Handle(Handler(digest: true, domains: []), Request(to: "sip:alice@elsewhere.org"));

        Assert.Equal(401, reply.Status);
        Assert.Contains("realm=\"elsewhere.org\"", reply.Headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_AuthNone_RequestUriOfAnotherDomainAnswers403()
    {
        var reply = await Handle(Handler(), Request().Replace("REGISTER sip:example.com", "REGISTER sip:elsewhere.org", StringComparison.Ordinal));

        Assert.Equal(403, reply.Status);
    }

    [Fact]
    public void Rfc3261_17_2_2_RetransmissionWhileTheOriginalIsDecided_IsAbsorbedByTheServerTransaction()
    {
        // Continuations run inline: completing the gate runs the handler to its answer on this thread.
        var gate = new TaskCompletionSource<RegisterResult>();
        var slow = new GatedRegistrar(gate.Task);
        var handler = new RegisterHandler(new RegisterHandlerOptions { Digest = false, Domains = ["example.com"] }, slow, _nonces, _time, _metrics);
        using var edge = new Routing.Edge.Tests.Transactions.TransactionHarness(new RegistrarRequestHandler(handler, new EdgeOptions()));
        var register = Routing.Edge.Tests.Transactions.TransactionHarness.Request("REGISTER", "sip:example.com", branch: "z9hG4bKreg1");

        edge.Receive(register);
        Assert.Equal(EdgeOutcome.Absorbed, edge.Receive(register));
        Assert.Equal(1, handler.InFlight);
        gate.SetResult(RegisterResult.Of(RegisterStatus.Ok));
        edge.Edge.RunPending();

        Assert.Equal(1, slow.Calls);
        Assert.Equal("200", Routing.Edge.Tests.Transactions.TransactionHarness.StatusOf(Assert.Single(edge.SentTexts)));
        Assert.Equal(0, handler.InFlight);
    }

    [Fact]
    public async Task Rfc3261_21_5_4_TooManyInFlight_Answers503WithRetryAfter()
    {
        var gate = new TaskCompletionSource<RegisterResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RegisterHandler(new RegisterHandlerOptions { Digest = false, Domains = ["example.com"], MaxInFlight = 1 }, new GatedRegistrar(gate.Task),
            _nonces, _time, _metrics);
        using var busy = SipParser.ParseDatagram(EdgeHarness.Wire(Request().Replace("\n\n\n", "\n\n", StringComparison.Ordinal))).Message!;
        var pending = handler.HandleAsync(busy, Remote, Local, SipTransportKind.Udp, TestContext.Current.CancellationToken);

        var shed = await Handle(handler, Request().Replace("Call-ID: reg-call-1@192.0.2.10", "Call-ID: other@192.0.2.10", StringComparison.Ordinal));
        gate.SetResult(RegisterResult.Of(RegisterStatus.Ok));
        await pending;

        Assert.Equal(503, shed.Status);
        Assert.Equal("Retry-After: 5\r\n", shed.Headers);
    }

    [Fact]
    public async Task Rfc3261_22_4_DigestWithoutCredentials_ChallengesSha256ThenMd5WithoutAskingTheCluster()
    {
        var reply = await Handle(Handler(digest: true), Request());

        Assert.Equal(401, reply.Status);
        var sha = reply.Headers.IndexOf("algorithm=SHA-256", StringComparison.Ordinal);
        var md5 = reply.Headers.IndexOf("algorithm=MD5", StringComparison.Ordinal);
        Assert.True(sha >= 0 && md5 > sha);
        Assert.Contains("realm=\"example.com\"", reply.Headers, StringComparison.Ordinal);
        Assert.Empty(_registrar.Commands);
    }

    [Fact]
    public async Task Rfc7616_3_3_StaleNonce_ChallengesWithStaleTrue()
    {
        _registrar.Answer = _ => RegisterResult.Of(RegisterStatus.StaleNonce);

        var reply = await Handle(Handler(digest: true), Request(extra: "Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"x\", uri=\"sip:example.com\", response=\"0\"\n"));

        Assert.Equal(401, reply.Status);
        Assert.Contains("stale=true", reply.Headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rfc3261_10_3_Step7_TooBrief_Answers423WithMinExpires()
    {
        _registrar.Answer = _ => new RegisterResult(RegisterStatus.IntervalTooBrief, [], 60, false);

        var reply = await Handle(Handler(), Request());

        Assert.Equal(423, reply.Status);
        Assert.Equal("Min-Expires: 60\r\n", reply.Headers);
    }

    [Fact]
    public async Task Register_JournalUnavailable_Answers500WithRetryAfter()
    {
        _registrar.Answer = _ => RegisterResult.Of(RegisterStatus.Unavailable);

        var reply = await Handle(Handler(), Request());

        Assert.Equal(500, reply.Status);
        Assert.Equal("Retry-After: 5\r\n", reply.Headers);
    }

    [Fact]
    public async Task Rfc5626_6_OutboundUsed_AnswersRequireOutboundAndFlowTimer()
    {
        _registrar.Answer = c => new RegisterResult(RegisterStatus.Ok, [new RegisteredContact(c.Contacts[0].Uri, c.Contacts[0].Parameters, 1800)], 0, true);

        var reply = await Handle(Handler(), Request("Contact: <sip:alice@192.0.2.10>;+sip.instance=\"<urn:uuid:1>\";reg-id=1", "Supported: outbound, path\n"));

        Assert.True(Assert.Single(_registrar.Commands).Outbound);
        Assert.Contains("Require: outbound\r\n", reply.Headers, StringComparison.Ordinal);
        Assert.Contains("Flow-Timer: 120\r\n", reply.Headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rfc3327_5_3_PathWithSupportedPath_IsStoredAndEchoed()
    {
        var reply = await Handle(Handler(), Request(extra: "Supported: path\nPath: <sip:edge1.example.net;lr>\n"));

        Assert.Equal(["<sip:edge1.example.net;lr>"], Assert.Single(_registrar.Commands).Path);
        Assert.Contains("Path: <sip:edge1.example.net;lr>\r\n", reply.Headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rfc5626_5_1_RegisterOverAFlowWithOutbound_StoresOurPathWithTheFlowTokenAndObFirst()
    {
        _registrar.Answer = c => new RegisterResult(RegisterStatus.Ok, [new RegisteredContact(c.Contacts[0].Uri, c.Contacts[0].Parameters, 1800)], 0, true);

        var reply = await Handle(Handler(),
            Request("Contact: <sip:alice@192.0.2.10;transport=tcp>;+sip.instance=\"<urn:uuid:1>\";reg-id=1",
                "Supported: outbound, path\nPath: <sip:edge1.example.net;lr>\n"),
            flowToken: "AbC-12_x", transport: SipTransportKind.Tcp);

        var path = Assert.Single(_registrar.Commands).Path;
        Assert.Equal(["<sip:AbC-12_x@127.0.0.1:5060;transport=tcp;lr;ob>", "<sip:edge1.example.net;lr>"], path);
        Assert.Equal("tcp", _registrar.Commands[0].Transport);
        // RFC 3327 §5.3: the 200 echoes the whole stored Path, ours first.
        Assert.Contains("Path: <sip:AbC-12_x@127.0.0.1:5060;transport=tcp;lr;ob>\r\nPath: <sip:edge1.example.net;lr>\r\n", reply.Headers,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rfc5626_5_1_RegisterOverAFlowWithoutOutbound_NoEdgePathSoTheContactIsUsed()
    {
        await Handle(Handler(), Request(extra: "Path: <sip:edge1.example.net;lr>\n"), flowToken: "tok");

        Assert.Equal(["<sip:edge1.example.net;lr>"], Assert.Single(_registrar.Commands).Path);
    }

    [Fact]
    public async Task Rfc5626_5_1_InstanceAndRegIdWithoutSupportedOutbound_NoEdgePath()
    {
        await Handle(Handler(), Request("Contact: <sip:alice@192.0.2.10>;+sip.instance=\"<urn:uuid:1>\";reg-id=1"), flowToken: "tok",
            transport: SipTransportKind.Tls);

        Assert.Empty(Assert.Single(_registrar.Commands).Path);
        Assert.Equal("tls", _registrar.Commands[0].Transport);
    }

    [Fact]
    public async Task Rfc5626_5_1_OutboundOverUdp_EdgePathWithoutTransportParameter()
    {
        await Handle(Handler(), Request("Contact: <sip:alice@192.0.2.10>;+sip.instance=\"<urn:uuid:1>\";reg-id=1", "Supported: outbound\n"),
            flowToken: "tok");

        Assert.Equal(["<sip:tok@127.0.0.1:5060;lr;ob>"], Assert.Single(_registrar.Commands).Path);
    }

    [Fact]
    public void EdgePath_Ipv6Local_BracketsTheAddress()
    {
        Assert.Equal("<sip:t@[2001:db8::1]:5061;transport=tls;lr;ob>",
            RegisterHandler.EdgePath("t", new IPEndPoint(IPAddress.Parse("2001:db8::1"), 5061), SipTransportKind.Tls));
    }

    [Fact]
    public async Task BruteForce_SourceFailingTooOften_IsLockedOutAtTheEdge()
    {
        _registrar.Answer = _ => RegisterResult.Of(RegisterStatus.Forbidden);
        var handler = Handler(digest: true, sourceLockout: 3);
        var withCredentials = Request(extra: "Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"x\", uri=\"sip:example.com\", response=\"0\"\n");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(403, (await Handle(handler, withCredentials)).Status);
        }

        var locked = await Handle(handler, withCredentials);

        Assert.Equal(403, locked.Status);
        Assert.Equal("Locked Out", locked.Reason);
        Assert.Equal(3, _registrar.Commands.Count);
        Assert.Equal(1, _metrics.SourceLockouts);
        Assert.Equal(3, _metrics.AuthenticationFailures);
    }

    [Fact]
    public async Task RegistrarRequestHandler_Register_IsTakenAndAnsweredThroughTheServerTransaction()
    {
        var tu = new RegistrarRequestHandler(Handler(), new EdgeOptions { ServerName = "test-edge" });
        using var message = SipParser.ParseDatagram(EdgeHarness.Wire(Request().Replace("\n\n\n", "\n\n", StringComparison.Ordinal))).Message!;
        var request = new RecordingServerRequest(message, new SipInboundContext(SipTransportKind.Udp, Local, Remote, new CapturingSender()));

        Assert.True(tu.TryHandle(request, RequestTarget.Node));
        var (status, headers) = await request.Answer.Task.WaitAsync(TimeSpan.FromSeconds(5 * TimeFactor), TestContext.Current.CancellationToken);

        Assert.Equal(200, status);
        Assert.Contains("Contact: <sip:alice@192.0.2.10:5060>;expires=1800\r\n", headers, StringComparison.Ordinal);
        Assert.EndsWith("Server: test-edge\r\n", headers, StringComparison.Ordinal);
    }

    [Fact]
    public void RegistrarRequestHandler_OtherMethod_IsLeftToTheNextHandler()
    {
        var tu = new RegistrarRequestHandler(Handler(), new EdgeOptions());
        using var message = SipParser.ParseDatagram(EdgeHarness.Wire(Request().Replace("REGISTER sip:", "OPTIONS sip:", StringComparison.Ordinal)
            .Replace("CSeq: 7 REGISTER", "CSeq: 7 OPTIONS", StringComparison.Ordinal).Replace("\n\n\n", "\n\n", StringComparison.Ordinal))).Message!;

        Assert.False(tu.TryHandle(new RecordingServerRequest(message, new SipInboundContext(SipTransportKind.Udp, Local, Remote, new CapturingSender())),
            RequestTarget.Node));
        Assert.Empty(_registrar.Commands);
    }

    private static double TimeFactor => double.TryParse(Environment.GetEnvironmentVariable("ROUTING_TEST_TIMEFACTOR"), out var f) ? f : 1;
}
