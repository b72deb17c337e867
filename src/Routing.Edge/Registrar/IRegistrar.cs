namespace Routing.Edge.Registrar;

/// <summary>One Contact of a REGISTER, as the edge extracted it; URI and contact-params kept apart (RFC 4475 §3.3.12-14).</summary>
/// <param name="Uri">The contact URI exactly as received (URI parameters and escaped headers stay in it).</param>
/// <param name="Parameters">contact-params as received, with the leading ';' (q, expires, +sip.instance, reg-id, pn-*, feature tags).</param>
public sealed record RegisterContact(string Uri, string Parameters, uint? Expires, int? Q, string? Instance, int? RegId);

/// <summary>A REGISTER reduced to what the registrar decides on (RFC 3261 §10.3).</summary>
/// <param name="Aor">The To URI as an address-of-record (<c>SipUri.ToAddressOfRecord</c>): the user entity's id.</param>
/// <param name="Star">Contact: *.</param>
/// <param name="Path">Path values (RFC 3327) in order.</param>
/// <param name="SourceAddress">"ip:port" the request came from.</param>
/// <param name="Transport">udp, tcp or tls (lower case).</param>
/// <param name="Authorization">The Authorization header value, null when absent.</param>
/// <param name="Outbound">Supported lists "outbound" (RFC 5626 §5.2).</param>
public sealed record RegisterCommand(
    string Aor,
    string RequestUri,
    bool Star,
    IReadOnlyList<RegisterContact> Contacts,
    uint? HeaderExpires,
    string CallId,
    long CSeq,
    IReadOnlyList<string> Path,
    string SourceAddress,
    string Transport,
    string? UserAgent,
    string? Authorization,
    bool Outbound);

/// <summary>What the registrar decided; each value maps to one SIP status at the edge.</summary>
public enum RegisterStatus
{
    /// <summary>200 with the bindings.</summary>
    Ok,
    /// <summary>401 with fresh challenges.</summary>
    Challenge,
    /// <summary>401 with stale=true.</summary>
    StaleNonce,
    /// <summary>403: wrong credentials or not allowed for this AOR.</summary>
    Forbidden,
    /// <summary>403: locked out after too many failures.</summary>
    LockedOut,
    /// <summary>404: unknown user (user hiding off).</summary>
    NotFound,
    /// <summary>423 with Min-Expires.</summary>
    IntervalTooBrief,
    /// <summary>400: Contact * misuse.</summary>
    InvalidStar,
    /// <summary>400: Call-ID/CSeq out of order.</summary>
    OutOfOrder,
    /// <summary>400: RFC 5626 misuse (reg-id with several contacts).</summary>
    InvalidOutbound,
    /// <summary>403: too many bindings for this AOR.</summary>
    TooManyBindings,
    /// <summary>500 with Retry-After: the journal failed; nothing was changed.</summary>
    Unavailable,
}

/// <summary>A current binding as the 200 lists it.</summary>
public sealed record RegisteredContact(string Uri, string Parameters, long RemainingSeconds);

/// <summary>The registrar's answer.</summary>
/// <param name="MinExpires">For <see cref="RegisterStatus.IntervalTooBrief"/>.</param>
/// <param name="OutboundUsed">A flow was registered: the 200 carries Require: outbound and Flow-Timer (RFC 5626 §6).</param>
public sealed record RegisterResult(RegisterStatus Status, IReadOnlyList<RegisteredContact> Contacts, uint MinExpires, bool OutboundUsed)
{
    public static RegisterResult Of(RegisterStatus status) => new(status, [], 0, false);
}

/// <summary>
/// The edge's port to the registrar (implemented by the node over the <c>user</c> shard region). Must not throw for a
/// decision; a dependency fault is <see cref="RegisterStatus.Unavailable"/>. The registrar bounds its own wait: a
/// registrar that gets no decision in time answers <see cref="RegisterStatus.Unavailable"/> (the edge sets no timer per
/// REGISTER).
/// </summary>
public interface IRegistrar
{
    Task<RegisterResult> RegisterAsync(RegisterCommand command, CancellationToken cancellationToken);
}
