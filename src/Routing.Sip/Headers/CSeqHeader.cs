using Routing.Sip.Syntax;

namespace Routing.Sip.Headers;

/// <summary>CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16).</summary>
public readonly struct CSeqHeader : ISipHeaderValue<CSeqHeader>
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly int _methodStart;
    private readonly int _methodLength;

    private CSeqHeader(ReadOnlyMemory<byte> source, uint number, int methodStart, int methodLength)
    {
        _source = source;
        Number = number;
        _methodStart = methodStart;
        _methodLength = methodLength;
    }

    /// <summary>The sequence number.</summary>
    public uint Number { get; }

    /// <summary>The method token, as received (methods are case-sensitive, RFC 3261 §7.1).</summary>
    public ReadOnlySpan<byte> Method => _source.Span.Slice(_methodStart, _methodLength);

    /// <summary>
    /// Parses a CSeq value. The number must fit 32 bits (RFC 3261 §20.16; RFC 4475 §3.1.2.4 sends 2^65 and expects a
    /// 400); values of 2^31 and above are accepted here although §8.1.1.5 forbids UACs to produce them.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out CSeqHeader result, out SipHeaderRejection rejection)
    {
        result = default;
        var s = value.Span;
        var i = Lws.Skip(s, 0);
        var digits = i < s.Length ? s[i..].IndexOfAnyExcept(SipCharacters.Digit) : 0;
        if (digits < 0)
        {
            digits = s.Length - i;
        }

        if (digits == 0)
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidNumber, i);
            return false;
        }

        if (!SipNumber.TryParseUInt32(s.Slice(i, digits), out var number))
        {
            rejection = new SipHeaderRejection(SipHeaderError.ValueOutOfRange, i);
            return false;
        }

        var afterNumber = i + digits;
        var methodStart = Lws.Skip(s, afterNumber);
        if (methodStart == afterNumber)
        {
            rejection = new SipHeaderRejection(methodStart < s.Length ? SipHeaderError.InvalidNumber : SipHeaderError.InvalidMethod, methodStart);
            return false;
        }

        var methodLength = methodStart < s.Length ? s[methodStart..].IndexOfAnyExcept(SipCharacters.Token) : 0;
        if (methodLength < 0)
        {
            methodLength = s.Length - methodStart;
        }

        if (methodLength == 0)
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidMethod, methodStart);
            return false;
        }

        if (!HeaderParameters.IsAtEnd(s, methodStart + methodLength))
        {
            rejection = new SipHeaderRejection(SipHeaderError.UnexpectedCharacter, methodStart + methodLength);
            return false;
        }

        result = new CSeqHeader(value, number, methodStart, methodLength);
        rejection = SipHeaderRejection.None;
        return true;
    }
}
