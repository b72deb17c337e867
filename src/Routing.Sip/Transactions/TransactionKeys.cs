namespace Routing.Sip.Transactions;

/// <summary>Method names the transaction layer treats specially (RFC 3261 §7.1: methods are case-sensitive).</summary>
public static class TransactionMethods
{
    public const string Invite = "INVITE";
    public const string Ack = "ACK";
    public const string Cancel = "CANCEL";

    /// <summary>The RFC 3261 §8.1.1.7 branch prefix that marks an RFC 3261 compliant (unique) branch.</summary>
    public const string MagicCookie = "z9hG4bK";

    /// <summary>True when <paramref name="branch"/> starts with the magic cookie, so §17.2.3 branch matching applies.</summary>
    public static bool HasMagicCookie(string? branch) =>
        branch is not null && branch.StartsWith(MagicCookie, StringComparison.Ordinal);

    internal static bool IsInvite(string method) => ReferenceEquals(method, Invite) || string.Equals(method, Invite, StringComparison.Ordinal);

    internal static bool IsAck(string method) => ReferenceEquals(method, Ack) || string.Equals(method, Ack, StringComparison.Ordinal);

    // RFC 3261 §17.2.3: an ACK belongs to the INVITE transaction it acknowledges. Returning the interned literal
    // for the two INVITE spellings lets later equality checks succeed on reference comparison.
    internal static string ForMatching(string method) => IsAck(method) || IsInvite(method) ? Invite : method;
}

/// <summary>The sent-by of a Via header (RFC 3261 §20.42): host and optional port (0 when absent).</summary>
/// <remarks>Hosts compare case-insensitively (RFC 3261 §19.1.4); the port compares as written.</remarks>
public readonly struct SentBy : IEquatable<SentBy>
{
    public SentBy(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        Host = host;
        Port = port;
    }

    public string Host { get; }

    /// <summary>The port, or 0 when the Via did not carry one.</summary>
    public int Port { get; }

    public bool Equals(SentBy other) =>
        Port == other.Port && string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => obj is SentBy other && Equals(other);

    public override int GetHashCode() =>
        HashCode.Combine(Host is null ? 0 : StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port);

    public override string ToString() => Port == 0 ? Host : $"{Host}:{Port}";

    public static bool operator ==(SentBy left, SentBy right) => left.Equals(right);

    public static bool operator !=(SentBy left, SentBy right) => !left.Equals(right);
}

/// <summary>
/// Server transaction identity for requests whose branch carries the magic cookie (RFC 3261 §17.2.3): branch,
/// sent-by and method, with ACK folded into INVITE. CANCEL keeps its own method and so its own transaction.
/// The hash is computed once; equality compares the hash before any string.
/// </summary>
public readonly struct ServerTransactionKey : IEquatable<ServerTransactionKey>
{
    private readonly int _hash;

    public ServerTransactionKey(string branch, SentBy sentBy, string method)
    {
        ArgumentNullException.ThrowIfNull(branch);
        ArgumentNullException.ThrowIfNull(method);
        Branch = branch;
        SentBy = sentBy;
        Method = TransactionMethods.ForMatching(method);
        _hash = HashCode.Combine(string.GetHashCode(branch, StringComparison.Ordinal), sentBy.GetHashCode(), string.GetHashCode(Method, StringComparison.Ordinal));
    }

    public string Branch { get; }

    public SentBy SentBy { get; }

    /// <summary>The method used for matching: INVITE for ACK.</summary>
    public string Method { get; }

    public bool Equals(ServerTransactionKey other) =>
        _hash == other._hash
        && string.Equals(Branch, other.Branch, StringComparison.Ordinal)
        && string.Equals(Method, other.Method, StringComparison.Ordinal)
        && SentBy.Equals(other.SentBy);

    public override bool Equals(object? obj) => obj is ServerTransactionKey other && Equals(other);

    public override int GetHashCode() => _hash;

    public override string ToString() => $"{Branch}/{SentBy}/{Method}";

    public static bool operator ==(ServerTransactionKey left, ServerTransactionKey right) => left.Equals(right);

    public static bool operator !=(ServerTransactionKey left, ServerTransactionKey right) => !left.Equals(right);
}

/// <summary>
/// Client transaction identity (RFC 3261 §17.1.3): the top Via branch and the CSeq method of a response. The
/// method matters because a CANCEL shares the INVITE's branch.
/// </summary>
public readonly struct ClientTransactionKey : IEquatable<ClientTransactionKey>
{
    private readonly int _hash;

    public ClientTransactionKey(string branch, string method)
    {
        ArgumentNullException.ThrowIfNull(branch);
        ArgumentNullException.ThrowIfNull(method);
        Branch = branch;
        Method = method;
        _hash = HashCode.Combine(string.GetHashCode(branch, StringComparison.Ordinal), string.GetHashCode(method, StringComparison.Ordinal));
    }

    public string Branch { get; }

    /// <summary>The request method, which is the CSeq method of its responses.</summary>
    public string Method { get; }

    public bool Equals(ClientTransactionKey other) =>
        _hash == other._hash
        && string.Equals(Branch, other.Branch, StringComparison.Ordinal)
        && string.Equals(Method, other.Method, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is ClientTransactionKey other && Equals(other);

    public override int GetHashCode() => _hash;

    public override string ToString() => $"{Branch}/{Method}";

    public static bool operator ==(ClientTransactionKey left, ClientTransactionKey right) => left.Equals(right);

    public static bool operator !=(ClientTransactionKey left, ClientTransactionKey right) => !left.Equals(right);
}

/// <summary>
/// Server transaction identity for RFC 2543 peers whose branch lacks the magic cookie (RFC 3261 §17.2.3, second
/// part): Request-URI, From tag, Call-ID, CSeq number, top Via and method (ACK folded into INVITE). The To tag is
/// not in the key because the ACK's To tag is compared with the tag of the response sent, not with the request's;
/// the table compares it after the lookup.
/// </summary>
public readonly struct Rfc2543TransactionKey : IEquatable<Rfc2543TransactionKey>
{
    private readonly int _hash;

    public Rfc2543TransactionKey(string requestUri, string? fromTag, string callId, uint cseqNumber, string topVia, string method)
    {
        ArgumentNullException.ThrowIfNull(requestUri);
        ArgumentNullException.ThrowIfNull(callId);
        ArgumentNullException.ThrowIfNull(topVia);
        ArgumentNullException.ThrowIfNull(method);
        RequestUri = requestUri;
        FromTag = fromTag;
        CallId = callId;
        CSeqNumber = cseqNumber;
        TopVia = topVia;
        Method = TransactionMethods.ForMatching(method);
        _hash = HashCode.Combine(
            string.GetHashCode(requestUri, StringComparison.Ordinal),
            fromTag is null ? 0 : string.GetHashCode(fromTag, StringComparison.Ordinal),
            string.GetHashCode(callId, StringComparison.Ordinal),
            cseqNumber,
            string.GetHashCode(topVia, StringComparison.Ordinal),
            string.GetHashCode(Method, StringComparison.Ordinal));
    }

    public string RequestUri { get; }

    public string? FromTag { get; }

    public string CallId { get; }

    public uint CSeqNumber { get; }

    public string TopVia { get; }

    public string Method { get; }

    public bool Equals(Rfc2543TransactionKey other) =>
        _hash == other._hash
        && CSeqNumber == other.CSeqNumber
        && string.Equals(CallId, other.CallId, StringComparison.Ordinal)
        && string.Equals(FromTag, other.FromTag, StringComparison.Ordinal)
        && string.Equals(Method, other.Method, StringComparison.Ordinal)
        && string.Equals(RequestUri, other.RequestUri, StringComparison.Ordinal)
        && string.Equals(TopVia, other.TopVia, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is Rfc2543TransactionKey other && Equals(other);

    public override int GetHashCode() => _hash;

    public static bool operator ==(Rfc2543TransactionKey left, Rfc2543TransactionKey right) => left.Equals(right);

    public static bool operator !=(Rfc2543TransactionKey left, Rfc2543TransactionKey right) => !left.Equals(right);
}

/// <summary>
/// The values RFC 3261 §8.2.2.2 compares to detect a merged request: From tag, Call-ID and CSeq (number and
/// method). Two live server transactions with equal keys but different transaction identities mean the request
/// reached this element twice by different paths.
/// </summary>
public readonly struct MergedRequestKey : IEquatable<MergedRequestKey>
{
    private readonly int _hash;

    public MergedRequestKey(string fromTag, string callId, uint cseqNumber, string cseqMethod)
    {
        ArgumentNullException.ThrowIfNull(fromTag);
        ArgumentNullException.ThrowIfNull(callId);
        ArgumentNullException.ThrowIfNull(cseqMethod);
        FromTag = fromTag;
        CallId = callId;
        CSeqNumber = cseqNumber;
        CSeqMethod = cseqMethod;
        _hash = HashCode.Combine(
            string.GetHashCode(fromTag, StringComparison.Ordinal),
            string.GetHashCode(callId, StringComparison.Ordinal),
            cseqNumber,
            string.GetHashCode(cseqMethod, StringComparison.Ordinal));
    }

    public string FromTag { get; }

    public string CallId { get; }

    public uint CSeqNumber { get; }

    public string CSeqMethod { get; }

    public bool Equals(MergedRequestKey other) =>
        _hash == other._hash
        && CSeqNumber == other.CSeqNumber
        && string.Equals(CallId, other.CallId, StringComparison.Ordinal)
        && string.Equals(FromTag, other.FromTag, StringComparison.Ordinal)
        && string.Equals(CSeqMethod, other.CSeqMethod, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is MergedRequestKey other && Equals(other);

    public override int GetHashCode() => _hash;

    public static bool operator ==(MergedRequestKey left, MergedRequestKey right) => left.Equals(right);

    public static bool operator !=(MergedRequestKey left, MergedRequestKey right) => !left.Equals(right);
}

/// <summary>
/// The values of a received request that transaction matching needs, extracted by the caller from its parsed
/// message. Strings are whatever the parser produced; nothing here parses.
/// </summary>
/// <param name="Method">The request method (case-sensitive, RFC 3261 §7.1).</param>
/// <param name="RequestUri">The Request-URI as the parser normalised it; used only by RFC 2543 matching.</param>
/// <param name="Branch">The top Via branch parameter, or null when absent.</param>
/// <param name="SentBy">The top Via sent-by.</param>
/// <param name="TopVia">The whole top Via value; used only by RFC 2543 matching.</param>
/// <param name="CallId">The Call-ID.</param>
/// <param name="FromTag">The From tag, or null when absent (RFC 2543 peers).</param>
/// <param name="ToTag">The To tag, or null when absent (out-of-dialog request).</param>
/// <param name="CSeqNumber">The CSeq sequence number.</param>
/// <param name="CSeqMethod">The CSeq method.</param>
public readonly record struct ServerRequestInfo(
    string Method,
    string RequestUri,
    string? Branch,
    SentBy SentBy,
    string TopVia,
    string CallId,
    string? FromTag,
    string? ToTag,
    uint CSeqNumber,
    string CSeqMethod)
{
    /// <summary>True when §17.2.3 branch matching applies; false selects the RFC 2543 fallback.</summary>
    public bool HasMagicCookie => TransactionMethods.HasMagicCookie(Branch);

    public bool IsAck => TransactionMethods.IsAck(Method);

    /// <summary>The §17.2.3 key of this request (only meaningful when <see cref="HasMagicCookie"/>).</summary>
    public ServerTransactionKey ServerKey => new(Branch ?? string.Empty, SentBy, Method);

    /// <summary>The RFC 2543 fallback key of this request.</summary>
    public Rfc2543TransactionKey Rfc2543Key => new(RequestUri, FromTag, CallId, CSeqNumber, TopVia, Method);

    /// <summary>
    /// RFC 3261 §9.2: the transaction a CANCEL targets is found by matching the CANCEL as if its method were that
    /// of the request it cancels. Only INVITE transactions can be cancelled in a useful way, so INVITE is used.
    /// </summary>
    public ServerTransactionKey CancelTargetKey => new(Branch ?? string.Empty, SentBy, TransactionMethods.Invite);

    /// <summary>The RFC 2543 key of the INVITE a CANCEL targets (§9.2 with §17.2.3 fallback matching).</summary>
    public Rfc2543TransactionKey CancelTargetRfc2543Key => new(RequestUri, FromTag, CallId, CSeqNumber, TopVia, TransactionMethods.Invite);

    /// <summary>The §8.2.2.2 key, or null when the request has no From tag to compare.</summary>
    public MergedRequestKey? MergeKey => FromTag is null ? null : new MergedRequestKey(FromTag, CallId, CSeqNumber, CSeqMethod);
}
