using System.Net;
using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Edge.Transactions;

/// <summary>
/// Where a request goes: an address on a transport (a TCP/TLS connection is reused or opened), or a flow named by
/// a flow token (RFC 5626 §5.3: a request for a registered flow goes out on that flow only, never on a new one).
/// </summary>
public sealed record SipDestination
{
    private SipDestination(SipTransportKind transport, IPEndPoint? endPoint, string? flowToken)
    {
        Transport = transport;
        EndPoint = endPoint;
        FlowToken = flowToken;
    }

    public SipTransportKind Transport { get; }

    /// <summary>The next hop's address (after RFC 3263 resolution by the caller); null for a flow token.</summary>
    public IPEndPoint? EndPoint { get; }

    /// <summary>The flow token (from Path or Record-Route); null for an address.</summary>
    public string? FlowToken { get; }

    public static SipDestination To(SipTransportKind transport, IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return new SipDestination(transport, endPoint, null);
    }

    /// <summary>The transport is taken from the token when it is verified.</summary>
    public static SipDestination OnFlow(string flowToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(flowToken);
        return new SipDestination(SipTransportKind.Udp, null, flowToken);
    }

    public override string ToString() => FlowToken is null ? $"{Transport} {EndPoint}" : $"flow {FlowToken}";
}

/// <summary>
/// A request for a client transaction. <see cref="Message"/> is a whole request as the proxy core made it
/// (Request-URI, Route, Max-Forwards already decremented, the upstream Via headers) but WITHOUT this node's Via: the
/// edge pushes its own top Via (transport and sent-by of the chosen socket, the branch, rport) when it knows the
/// socket (RFC 3261 §16.6 step 8, §18.1.1).
/// </summary>
/// <param name="Message">The request bytes, Content-Length included.</param>
/// <param name="Destination">Where it goes.</param>
/// <param name="Branch">The branch for the new Via (must start with z9hG4bK, RFC 3261 §8.1.1.7); null draws a random one.</param>
public sealed record OutboundRequest(ReadOnlyMemory<byte> Message, SipDestination Destination, string? Branch = null);

/// <summary>Why the edge refused to start a client transaction.</summary>
public enum ClientStartRejection
{
    None = 0,
    /// <summary>The bytes are not a request the parser accepts.</summary>
    Malformed,
    /// <summary>ACK has no client transaction (RFC 3261 §17.1.1.3); use <see cref="ISipClient.SendAck"/>.</summary>
    AckNotAllowed,
    /// <summary>The given branch lacks the magic cookie or is already used by a live client transaction.</summary>
    InvalidBranch,
    /// <summary>The flow token is malformed or forged.</summary>
    InvalidFlowToken,
    /// <summary>The flow token names a flow held by another edge node.</summary>
    OtherNode,
    /// <summary>The edge has no socket for the transport or address family.</summary>
    NoTransport,
    /// <summary>The edge is stopping.</summary>
    Stopped,
}

/// <summary>The immediate result of <see cref="ISipClient.Start"/>.</summary>
/// <param name="Transaction">The handle, or null when refused.</param>
/// <param name="Rejection">Why it was refused, or <see cref="ClientStartRejection.None"/>.</param>
public readonly record struct ClientStartResult(ClientTransactionHandle? Transaction, ClientStartRejection Rejection)
{
    public bool Started => Transaction is not null;
}

/// <summary>Why a client transaction failed (RFC 3261 §17.1.4, §8.1.3.1: the TU treats these as a 408 or 503).</summary>
public enum ClientTransactionFailure
{
    /// <summary>Timer B or F fired: no final response (treat as 408).</summary>
    Timeout,
    /// <summary>The transport refused the bytes (treat as 503).</summary>
    TransportError,
    /// <summary>The flow named by the token is gone (RFC 5626 §5.3: try another flow or answer 430).</summary>
    FlowGone,
    /// <summary>A TCP/TLS connection to the destination could not be opened (treat as 503).</summary>
    ConnectFailed,
}

/// <summary>Something that happened to a client transaction; delivered on the edge's transaction loop.</summary>
public abstract record ClientTransactionEvent(ClientTransactionHandle Transaction);

/// <summary>
/// A response matched the transaction (every provisional and final response the state machine passes up, for
/// INVITE also each 2xx retransmission in Accepted, RFC 6026). <see cref="Response"/> is the parsed response as
/// received, this node's Via still on top; it is valid only during <see cref="IClientTransactionObserver.OnEvent"/>
/// (the edge disposes it afterwards), so copy what must outlive the call.
/// </summary>
public sealed record ClientResponseReceived(ClientTransactionHandle Transaction, int StatusCode, SipMessage Response)
    : ClientTransactionEvent(Transaction);

/// <summary>The transaction failed; no final response will come.</summary>
public sealed record ClientTransactionFailed(ClientTransactionHandle Transaction, ClientTransactionFailure Reason)
    : ClientTransactionEvent(Transaction);

/// <summary>The transaction ended and left the table (after Timer D/K/M or at once on a reliable transport).</summary>
public sealed record ClientTransactionEnded(ClientTransactionHandle Transaction)
    : ClientTransactionEvent(Transaction);

/// <summary>
/// Receives a client transaction's events. Called on the edge's single transaction loop: return quickly, never block;
/// post to an actor or channel for anything slow. An exception thrown here is caught and logged.
/// </summary>
public interface IClientTransactionObserver
{
    void OnEvent(ClientTransactionEvent transactionEvent);
}

/// <summary>A started client transaction.</summary>
public sealed class ClientTransactionHandle
{
    internal ClientTransactionHandle(string branch, SipMethod method, string methodText, SipDestination destination, IClientTransactionObserver? observer)
    {
        Branch = branch;
        Method = method;
        MethodText = methodText;
        Destination = destination;
        Observer = observer;
    }

    /// <summary>The branch of the Via the edge pushed: the transaction's key with the method (RFC 3261 §17.1.3).</summary>
    public string Branch { get; }

    public SipMethod Method { get; }

    /// <summary>The method as sent (extension methods keep their name).</summary>
    public string MethodText { get; }

    public SipDestination Destination { get; }

    /// <summary>
    /// The flow the request went out on, once sent; a flow token for it comes from <see cref="ISipClient.TokenFor"/>.
    /// </summary>
    public SipFlowAddress? Flow { get; internal set; }

    internal IClientTransactionObserver? Observer { get; }

    public override string ToString() => $"{MethodText} {Branch} -> {Destination}";
}

/// <summary>
/// The edge's client side, for the proxy core (issue 6) and anything else that sends requests. Every method may be
/// called from any thread: the work is posted to the edge's transaction loop, and events come back through the
/// observer on that loop.
/// </summary>
public interface ISipClient
{
    /// <summary>
    /// Starts an INVITE or non-INVITE client transaction (RFC 3261 §17.1): pushes this node's Via, sends, retransmits
    /// on UDP (Timer A/E), reports responses, timeouts and transport errors, and for a non-2xx final response to an
    /// INVITE generates and sends the ACK hop-by-hop (§17.1.1.3).
    /// </summary>
    ClientStartResult Start(OutboundRequest request, IClientTransactionObserver observer);

    /// <summary>
    /// Cancels a pending INVITE (RFC 3261 §9.1): a CANCEL with the INVITE's Request-URI, Call-ID, From, To, CSeq
    /// number, Route set and the same top Via is sent in its own non-INVITE client transaction to the same
    /// destination. It is sent once a provisional response has arrived (held until then), and not at all when a final
    /// response has; the INVITE's 487 (or a 200 that crossed the CANCEL) arrives as a normal response event.
    /// <paramref name="reasonHeader"/> is an optional header line (e.g. "Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n", RFC 3326).
    /// </summary>
    void Cancel(ClientTransactionHandle invite, string? reasonHeader = null);

    /// <summary>
    /// Sends a request without a transaction: the ACK for a 2xx, which is its own transaction end to end (RFC 3261
    /// §13.2.2.4, §16.6: a proxy forwards it statelessly). The edge pushes its Via with a new branch.
    /// </summary>
    ClientStartRejection SendAck(OutboundRequest ack);

    /// <summary>A flow token (HMAC-protected, names this node and the flow) for Path/Record-Route.</summary>
    string TokenFor(in SipFlowAddress flow);
}
