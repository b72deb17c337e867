namespace Routing.Sip.Headers;

/// <summary>
/// A value that is delta-seconds, optionally followed by generic parameters: Expires and Min-Expires (RFC 3261
/// §20.19, §20.23; no parameters in practice) and Min-SE (RFC 4028 §5). A value above 2^32-1 is rejected with
/// <see cref="SipHeaderError.ValueOutOfRange"/>; RFC 3261 §20.19 and RFC 4475 §3.1.2.4 let a registrar then use its
/// default (3600) instead of failing the request.
/// </summary>
public readonly struct DeltaSecondsHeader : ISipHeaderValue<DeltaSecondsHeader>
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly int _paramsStart;

    private DeltaSecondsHeader(ReadOnlyMemory<byte> source, uint seconds, int paramsStart)
    {
        _source = source;
        Seconds = seconds;
        _paramsStart = paramsStart;
    }

    /// <summary>The number of seconds.</summary>
    public uint Seconds { get; }

    /// <summary>Parameters after the number (Min-SE allows generic-param), empty when none.</summary>
    public ReadOnlySpan<byte> ParametersText => _source.Span[_paramsStart..];

    /// <summary>Parses a delta-seconds value.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out DeltaSecondsHeader result, out SipHeaderRejection rejection)
    {
        result = default;
        var s = value.Span;
        if (!DeltaSecondsReader.TryRead(s, out var seconds, out var end, out rejection)
            || !HeaderParameters.Validate(s, end, out rejection))
        {
            return false;
        }

        result = new DeltaSecondsHeader(value, seconds, end);
        return true;
    }
}

/// <summary>Max-Forwards = 1*DIGIT, an integer 0-255 (RFC 3261 §20.22).</summary>
public readonly struct MaxForwardsHeader : ISipHeaderValue<MaxForwardsHeader>
{
    private MaxForwardsHeader(int hops) => Hops = hops;

    /// <summary>The remaining hop count.</summary>
    public int Hops { get; }

    /// <summary>
    /// Parses Max-Forwards. Values above 255 are rejected with <see cref="SipHeaderError.ValueOutOfRange"/>
    /// (RFC 4475 §3.1.2.4 sends 300; the element may answer 400 or treat the header as absent).
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out MaxForwardsHeader result, out SipHeaderRejection rejection)
    {
        result = default;
        var s = value.Span;
        if (!DeltaSecondsReader.TryRead(s, out var hops, out var end, out rejection))
        {
            return false;
        }

        if (!HeaderParameters.IsAtEnd(s, end))
        {
            rejection = new SipHeaderRejection(SipHeaderError.UnexpectedCharacter, end);
            return false;
        }

        if (hops > 255)
        {
            rejection = new SipHeaderRejection(SipHeaderError.ValueOutOfRange, Syntax.Lws.Skip(s, 0));
            return false;
        }

        result = new MaxForwardsHeader((int)hops);
        return true;
    }
}
