using System.Net;
using System.Text;
using Routing.Edge.Proxy;
using Routing.Edge.Transactions;
using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Edge.Tests.Proxy;

internal sealed class NullSender : ISipSender
{
    public bool Send(ReadOnlySpan<byte> message, IPEndPoint destination) => true;
}

/// <summary>A server transaction as the proxy sees it; records what it was answered with.</summary>
internal sealed class FakeServerRequest : EdgeServerRequest, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();

    public FakeServerRequest(SipMessage message, string remote = "10.0.0.1:5060", SipTransportKind transport = SipTransportKind.Udp)
    {
        Message = message;
        Source = new SipInboundContext(transport, IPEndPoint.Parse("127.0.0.1:5060"), IPEndPoint.Parse(remote), new NullSender());
    }

    public override SipMessage Message { get; }

    public override SipInboundContext Source { get; }

    public override string ToTag => "proxytag";

    public override CancellationToken Cancelled => _cancel.Token;

    public override bool Answered => Final is not null;

    public List<(int Status, string Text)> Sent { get; } = [];

    public (int Status, string Text)? Final { get; private set; }

    public TaskCompletionSource<int> FinalSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void CancelByCaller() => _cancel.Cancel();

    public void Dispose()
    {
        _cancel.Dispose();
        Message.Dispose();
    }

    public override ServerRespondResult Respond(int status, string? reasonPhrase = null, string? extraHeaders = null, string? contentType = null,
        ReadOnlyMemory<byte> body = default) => Record(status, $"SIP/2.0 {status} {reasonPhrase}\r\n{extraHeaders}");

    public override ServerRespondResult Forward(int status, ReadOnlyMemory<byte> response) => Record(status, Encoding.UTF8.GetString(response.Span));

    /// <summary>True when the proxy gave up on a non-INVITE request without a response (RFC 4320); FinalSent is then 0.</summary>
    public bool GaveUpSilently { get; private set; }

    public override ServerRespondResult GiveUp(string? extraHeaders = null)
    {
        if (Message.Method == Routing.Sip.Message.SipMethod.Invite)
        {
            return Respond(408, null, extraHeaders);
        }

        lock (Sent)
        {
            if (Final is not null)
            {
                return ServerRespondResult.AlreadyFinal;
            }

            GaveUpSilently = true;
            Final = (0, string.Empty);
            FinalSent.TrySetResult(0);
        }

        return ServerRespondResult.Accepted;
    }

    private ServerRespondResult Record(int status, string text)
    {
        lock (Sent)
        {
            if (Final is not null && status >= 300)
            {
                return ServerRespondResult.AlreadyFinal;
            }

            Sent.Add((status, text));
            if (status >= 200 && Final is null)
            {
                Final = (status, text);
                FinalSent.TrySetResult(status);
            }
        }

        return ServerRespondResult.Accepted;
    }
}

internal sealed class FakeClient : ISipClient
{
    public List<(ClientTransactionHandle Handle, string Text, IClientTransactionObserver Observer)> Started { get; } = [];

    public List<(ClientTransactionHandle Handle, string? Reason)> Cancelled { get; } = [];

    public List<(string Text, SipDestination Destination, string? Branch)> Acks { get; } = [];

    public Func<OutboundRequest, ClientStartRejection> Refuse { get; set; } = _ => ClientStartRejection.None;

    public ClientStartResult Start(OutboundRequest request, IClientTransactionObserver observer)
    {
        var refusal = Refuse(request);
        if (refusal != ClientStartRejection.None)
        {
            return new ClientStartResult(null, refusal);
        }

        var text = Encoding.UTF8.GetString(request.Message.Span);
        var method = text.StartsWith("INVITE", StringComparison.Ordinal) ? SipMethod.Invite : SipMethod.Bye;
        var handle = new ClientTransactionHandle(request.Branch!, method, text[..text.IndexOf(' ', StringComparison.Ordinal)], request.Destination, observer);
        lock (Started)
        {
            Started.Add((handle, text, observer));
        }

        return new ClientStartResult(handle, ClientStartRejection.None);
    }

    public void Cancel(ClientTransactionHandle invite, string? reasonHeader = null) => Cancelled.Add((invite, reasonHeader));

    public ClientStartRejection SendAck(OutboundRequest ack)
    {
        lock (Acks)
        {
            Acks.Add((Encoding.UTF8.GetString(ack.Message.Span), ack.Destination, ack.Branch));
        }

        return ClientStartRejection.None;
    }

    public string TokenFor(in SipFlowAddress flow) => "tok-" + flow.Remote.Port;

    /// <summary>Answers branch <paramref name="index"/> with a response built from what was sent (our Via on top).</summary>
    public void Respond(int index, int status, string toTag = "callee", string extra = "")
    {
        var (handle, text, observer) = Started[index];
        var lines = text.Split("\r\n");
        var headers = new StringBuilder();
        headers.Append("SIP/2.0 ").Append(status).Append(" X\r\n");
        headers.Append("Via: SIP/2.0/UDP 127.0.0.1:5060;branch=").Append(handle.Branch).Append("\r\n");
        foreach (var l in lines)
        {
            if (l.StartsWith("Via:", StringComparison.Ordinal) || l.StartsWith("From:", StringComparison.Ordinal)
                || l.StartsWith("Call-ID:", StringComparison.Ordinal) || l.StartsWith("CSeq:", StringComparison.Ordinal)
                || l.StartsWith("Record-Route:", StringComparison.Ordinal))
            {
                headers.Append(l).Append("\r\n");
            }
            else if (l.StartsWith("To:", StringComparison.Ordinal))
            {
                headers.Append(l).Append(status > 100 ? ";tag=" + toTag : string.Empty).Append("\r\n");
            }
        }

        headers.Append("Contact: <sip:bob@10.0.0.2:5062>\r\n").Append(extra).Append("Content-Length: 0\r\n\r\n");
        var parsed = SipParser.ParseDatagram(Encoding.ASCII.GetBytes(headers.ToString()));
        using var response = parsed.Message!;
        observer.OnEvent(new ClientResponseReceived(handle, status, response));
    }

    public void Fail(int index, ClientTransactionFailure reason) => Started[index].Observer.OnEvent(new ClientTransactionFailed(Started[index].Handle, reason));
}

internal sealed class FakeLocation : ILocationPort
{
    public Dictionary<string, LocationResult> Users { get; } = [];

    public Task<LocationResult> LookupAsync(string aor, CancellationToken cancellationToken) =>
        Task.FromResult(Users.TryGetValue(aor, out var r) ? r : LocationResult.Of(LocationStatus.UnknownUser));
}

internal sealed class FakeDialogs : IDialogPort
{
    public List<string> Log { get; } = [];

    public InDialogTarget Route { get; set; } = new(InDialogStatus.NoSuchDialog, null, CallSide.Caller);

    public List<InDialogRequest> Routed { get; } = [];

    public Task<bool> StartAsync(DialogStart start, CancellationToken cancellationToken)
    {
        Log.Add("start " + start.CallId + " " + start.Caller.Aor + " -> " + start.CalleeAor);
        return Task.FromResult(true);
    }

    public void BranchForked(string callId, int branch, string contact, string? instance) => Log.Add($"branch {branch} {contact}");

    public void Provisional(string callId, int branch, int status, string? toTag) => Log.Add($"provisional {branch} {status}");

    public void Answered(DialogStart start, int branch, string toTag, CallParty callee, uint? sessionExpires) => Log.Add($"answered {branch} {toTag} {callee.Contact}");

    public void Failed(DialogStart start, int status, CallSide by) => Log.Add($"failed {status} {by}");

    public Task<InDialogTarget> RouteAsync(InDialogRequest request, CancellationToken cancellationToken)
    {
        Routed.Add(request);
        return Task.FromResult(Route);
    }

    public void TargetReplaced(string callId, CallSide side, CallParty party) => Log.Add($"replaced {side} {party.FlowToken ?? party.SourceAddress}");
}

internal sealed class FakeCredentials : IProxyCredentials
{
    public CredentialVerdict Verdict { get; set; } = CredentialVerdict.Ok;

    public Task<CredentialVerdict> VerifyAsync(string aor, string method, string authorization, string sourceAddress, CancellationToken cancellationToken) =>
        Task.FromResult(Verdict);
}
