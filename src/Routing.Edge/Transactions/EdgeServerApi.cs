using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Edge.Transactions;

/// <summary>What a TU did with a response it handed to <see cref="EdgeServerRequest"/>.</summary>
public enum ServerRespondResult
{
    /// <summary>Queued for the transaction (it goes out on the loop unless the transaction refuses it).</summary>
    Accepted = 0,
    /// <summary>A final response was already given; further responses are ignored (RFC 3261 §17.2.2).</summary>
    AlreadyFinal,
    /// <summary>The status is outside 100-699.</summary>
    InvalidStatus,
}

/// <summary>
/// A request inside its server transaction, handed to a TU (registrar, proxy). The TU answers from any thread,
/// synchronously or later; the edge builds the response from the request (Via with received/rport, From, To with a
/// tag, Call-ID, CSeq, RFC 3261 §8.2.6) and passes it to the transaction, which retransmits it as needed.
/// </summary>
public abstract class EdgeServerRequest
{
    /// <summary>The request. Valid until the final response is given (then the edge may release it).</summary>
    public abstract SipMessage Message { get; }

    /// <summary>Where the request came from (transport, local, remote, TLS peer).</summary>
    public abstract SipInboundContext Source { get; }

    /// <summary>The To tag every response of this transaction carries (RFC 3261 §8.2.6.2), when the request had none.</summary>
    public abstract string ToTag { get; }

    /// <summary>
    /// Signalled when a CANCEL matched this INVITE while it was pending (RFC 3261 §9.2). If the handler set
    /// <see cref="HandlesCancel"/> it must end the transaction itself (a proxy cancels its branches and forwards the
    /// best response, §16.10); otherwise the edge has already answered 487.
    /// </summary>
    public abstract CancellationToken Cancelled { get; }

    /// <summary>Set by a TU that answers a cancelled INVITE itself (a proxy); the edge then sends no 487.</summary>
    public bool HandlesCancel { get; set; }

    /// <summary>True once a final response was accepted.</summary>
    public abstract bool Answered { get; }

    /// <summary>
    /// Answers the request. <paramref name="extraHeaders"/> are whole header lines each ending in CRLF (Contact,
    /// Allow, WWW-Authenticate, Require, ...).
    /// </summary>
    public abstract ServerRespondResult Respond(int status, string? reasonPhrase = null, string? extraHeaders = null,
        string? contentType = null, ReadOnlyMemory<byte> body = default);

    /// <summary>
    /// Answers without a body, header lines given as bytes (each ending in CRLF): for a TU on a hot path that has them
    /// in a pooled buffer. The bytes are copied before this returns.
    /// </summary>
    public virtual ServerRespondResult Respond(int status, string? reasonPhrase, ReadOnlySpan<byte> extraHeaders) =>
        Respond(status, reasonPhrase, System.Text.Encoding.UTF8.GetString(extraHeaders));

    /// <summary>
    /// Sends a response the TU built itself, e.g. a proxy relaying a downstream response with its own Via removed
    /// (RFC 3261 §16.7 step 9). The bytes must be a whole response whose Via, Call-ID and CSeq are this request's.
    /// </summary>
    public abstract ServerRespondResult Forward(int status, ReadOnlyMemory<byte> response);

    /// <summary>
    /// Gives up on the request without an answer from downstream: an INVITE gets 408; any other request gets no final
    /// response at all and its transaction ends (RFC 4320 §4.2: a transaction-stateful element must not send 408 to a
    /// non-INVITE request; the client's Timer F has fired, or will, by then).
    /// </summary>
    public abstract ServerRespondResult GiveUp(string? extraHeaders = null);
}

/// <summary>
/// A TU that takes some requests from the edge (registrar for REGISTER, proxy for INVITE/MESSAGE/...). Handlers are
/// asked in order; the first that returns true owns the request and must eventually answer it (a non-INVITE request
/// still unanswered after 64*T1 is ended by the edge without a response, since RFC 3261 §17.2.2 gives that transaction
/// no timer of its own and RFC 4320 §4.2 forbids a 408). Called on the transaction loop: decide quickly and answer later if the work is slow.
/// </summary>
public interface IEdgeRequestHandler
{
    bool TryHandle(EdgeServerRequest request, RequestTarget target);
}

/// <summary>
/// Optional second face of an <see cref="IEdgeRequestHandler"/>: ACKs that match no server transaction (the ACK for a
/// 2xx is a transaction of its own, RFC 3261 §17.1.1.3, §13.2.2.4; a proxy forwards it, §16.6, §16.10). Asked in the
/// same order as the request handlers; the message is valid only during the call. ACKs are never answered.
/// </summary>
public interface IEdgeAckHandler
{
    bool TryHandleAck(SipMessage ack, in SipInboundContext source, RequestTarget target);
}
