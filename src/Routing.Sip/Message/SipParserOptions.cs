namespace Routing.Sip.Message;

/// <summary>Limits and strictness switches for <see cref="SipParser"/>.</summary>
public sealed class SipParserOptions
{
    /// <summary>Shared defaults; treat as read-only.</summary>
    public static SipParserOptions Default { get; } = new();

    /// <summary>Largest whole message (start line, headers, body) in bytes. Default 65535 (one UDP datagram). Answer: 513.</summary>
    public int MaxMessageSize { get; init; } = 65_535;

    /// <summary>Largest start line plus header section in bytes. Default 16384. Answer: 513.</summary>
    public int MaxHeaderSectionSize { get; init; } = 16_384;

    /// <summary>Largest single header line including folded continuations, in bytes. Default 8192. Answer: 513.</summary>
    public int MaxLineLength { get; init; } = 8_192;

    /// <summary>Largest Request-URI in bytes. Default 4096. Answer: 414.</summary>
    public int MaxRequestUriLength { get; init; } = 4_096;

    /// <summary>Most header lines per message, 1..4096. Default 128. Answer: 513.</summary>
    public int MaxHeaderCount
    {
        get => _maxHeaderCount;
        init
        {
            // The header index stores positions as 16-bit values.
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 4096);
            _maxHeaderCount = value;
        }
    }

    private readonly int _maxHeaderCount = 128;

    /// <summary>Largest body in bytes. Default 60000. Answer: 413.</summary>
    public int MaxBodySize { get; init; } = 60_000;

    /// <summary>
    /// Request-URI schemes accepted besides sip, sips and tel, in lower case (e.g. <c>urn</c> for RFC 5031
    /// <c>urn:service:sos</c> emergency requests). Default none: any other scheme is answered 416 (RFC 3261
    /// §8.2.2.1, RFC 4475 §3.3.2/§3.3.3).
    /// </summary>
    public IReadOnlyList<string> ExtraRequestUriSchemes { get; init; } = [];

    /// <summary>
    /// Whether requests without Max-Forwards are rejected. Default false: RFC 3261 §16.6 step 3 has a proxy add one,
    /// and RFC 4475 §3.4.1 (RFC 2543 syntax) expects such requests to be accepted.
    /// </summary>
    public bool RequireMaxForwards { get; init; }
}
