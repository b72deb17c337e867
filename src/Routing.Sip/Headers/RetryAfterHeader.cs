using Routing.Sip.Syntax;

namespace Routing.Sip.Headers;

/// <summary>
/// Retry-After = delta-seconds [ comment ] *( SEMI retry-param ); retry-param = ("duration" EQUAL delta-seconds) /
/// generic-param (RFC 3261 §20.33).
/// </summary>
public readonly struct RetryAfterHeader : ISipHeaderValue<RetryAfterHeader>
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly int _commentStart;
    private readonly int _commentLength;
    private readonly int _paramsStart;

    private RetryAfterHeader(ReadOnlyMemory<byte> source, uint seconds, int commentStart, int commentLength, int paramsStart, uint? duration)
    {
        _source = source;
        DeltaSeconds = seconds;
        _commentStart = commentStart;
        _commentLength = commentLength;
        _paramsStart = paramsStart;
        Duration = duration;
    }

    /// <summary>Seconds after which to retry.</summary>
    public uint DeltaSeconds { get; }

    /// <summary>The duration parameter in seconds, or null when absent.</summary>
    public uint? Duration { get; }

    /// <summary>The comment including its parentheses, empty when absent.</summary>
    public ReadOnlySpan<byte> Comment => _source.Span.Slice(_commentStart, _commentLength);

    /// <summary>The parameters.</summary>
    public ReadOnlySpan<byte> ParametersText => _source.Span[_paramsStart..];

    /// <summary>Parses a Retry-After value; a delta above 2^32-1 is rejected (RFC 4475 §3.1.2.5).</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out RetryAfterHeader result, out SipHeaderRejection rejection)
    {
        result = default;
        var s = value.Span;
        if (!DeltaSecondsReader.TryRead(s, out var seconds, out var i, out rejection))
        {
            return false;
        }

        var commentStart = i;
        var commentLength = 0;
        var j = Lws.Skip(s, i);
        if (j < s.Length && s[j] == (byte)'(')
        {
            if (!SipComment.TryRead(s[j..], out commentLength, out var c))
            {
                rejection = new SipHeaderRejection(SipHeaderError.InvalidComment, j + c.Offset, SyntaxError: c.Reason);
                return false;
            }

            commentStart = j;
            i = j + commentLength;
        }

        if (!HeaderParameters.Validate(s, i, out rejection))
        {
            return false;
        }

        uint? duration = null;
        if (SipParameters.TryFind(s[i..], SipParameterSyntax.Header, "duration"u8, out var p))
        {
            if (p.IsQuoted || !SipNumber.TryParseUInt32(p.Value, out var d))
            {
                rejection = new SipHeaderRejection(SipHeaderError.InvalidNumber, i + Math.Max(p.ValueOffset, p.NameOffset));
                return false;
            }

            duration = d;
        }

        result = new RetryAfterHeader(value, seconds, commentStart, commentLength, i, duration);
        return true;
    }
}
