using Routing.Sip.Message;

namespace Routing.Edge;

/// <summary>What the edge answers with and which Request-URIs it takes as addressed to itself.</summary>
public sealed class EdgeOptions
{
    /// <summary>
    /// Received messages that may wait for the transaction loop before new ones are dropped at the socket (counted as
    /// <c>sip_messages_dropped_total{cause="Overload"}</c>). Bounds memory under a flood. Default: 65 536 messages.
    /// </summary>
    public int MaxQueuedInbound { get; init; } = 65_536;

    /// <summary>
    /// Host names and IP literals (lower case, IPv6 without brackets) that name this node in a Request-URI, besides
    /// the local address a message arrived on. Default: 127.0.0.1, ::1 and localhost.
    /// </summary>
    public IReadOnlyList<string> LocalHosts { get; init; } = ["127.0.0.1", "::1", "localhost"];

    /// <summary>SIP domains the node serves (lower case). Default: none.</summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>
    /// Methods the edge handles today (the Allow header, RFC 3261 §20.5). Default: OPTIONS, ACK, CANCEL; later
    /// issues add REGISTER, INVITE, BYE and the rest as their handlers land.
    /// </summary>
    public IReadOnlyList<SipMethod> AllowedMethods { get; init; } = [SipMethod.Options, SipMethod.Ack, SipMethod.Cancel];

    /// <summary>Option tags the node supports (the Supported header, RFC 3261 §20.37). Default: none.</summary>
    public IReadOnlyList<string> SupportedOptionTags { get; init; } = [];

    /// <summary>Body types the node accepts (the Accept header, RFC 3261 §20.1). Default: application/sdp.</summary>
    public IReadOnlyList<string> AcceptedContentTypes { get; init; } = ["application/sdp"];

    /// <summary>Server header value (RFC 3261 §20.35). Default: routing-cluster.</summary>
    public string ServerName { get; init; } = "routing-cluster";

    /// <summary>Parser limits. Default: <see cref="SipParserOptions.Default"/>.</summary>
    public SipParserOptions Parser { get; init; } = SipParserOptions.Default;
}
