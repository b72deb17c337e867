using System.Text;
using Routing.Sip.Syntax;

namespace Routing.Sip.Headers;

/// <summary>Who refreshes a session timer (RFC 4028 §4).</summary>
public enum SessionRefresher
{
    /// <summary>No refresher parameter.</summary>
    None = 0,

    /// <summary>refresher=uac.</summary>
    Uac,

    /// <summary>refresher=uas.</summary>
    Uas,
}

/// <summary>Session-Expires = delta-seconds *( SEMI se-params ); se-params = refresher-param / generic-param (RFC 4028 §4).</summary>
public readonly struct SessionExpiresHeader : ISipHeaderValue<SessionExpiresHeader>
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly int _paramsStart;

    private SessionExpiresHeader(ReadOnlyMemory<byte> source, uint seconds, SessionRefresher refresher, int paramsStart)
    {
        _source = source;
        DeltaSeconds = seconds;
        Refresher = refresher;
        _paramsStart = paramsStart;
    }

    /// <summary>The session interval in seconds.</summary>
    public uint DeltaSeconds { get; }

    /// <summary>The refresher, or <see cref="SessionRefresher.None"/>.</summary>
    public SessionRefresher Refresher { get; }

    /// <summary>The parameters.</summary>
    public ReadOnlySpan<byte> ParametersText => _source.Span[_paramsStart..];

    /// <summary>Parses a Session-Expires (or x) value.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out SessionExpiresHeader result, out SipHeaderRejection rejection)
    {
        result = default;
        var s = value.Span;
        if (!DeltaSecondsReader.TryRead(s, out var seconds, out var end, out rejection)
            || !HeaderParameters.Validate(s, end, out rejection))
        {
            return false;
        }

        var refresher = SessionRefresher.None;
        var e = new SipParameterEnumerator(s[end..], SipParameterSyntax.Header);
        while (e.MoveNext())
        {
            if (!e.Current.NameEquals("refresher"u8))
            {
                continue;
            }

            refresher = Ascii.EqualsIgnoreCase(e.Current.Value, "uac"u8) ? SessionRefresher.Uac
                : Ascii.EqualsIgnoreCase(e.Current.Value, "uas"u8) ? SessionRefresher.Uas
                : SessionRefresher.None;
            if (refresher == SessionRefresher.None)
            {
                rejection = new SipHeaderRejection(SipHeaderError.InvalidRefresher, end + Math.Max(e.Current.ValueOffset, e.Current.NameOffset));
                return false;
            }
        }

        result = new SessionExpiresHeader(value, seconds, refresher, end);
        return true;
    }
}

internal static class DeltaSecondsReader
{
    // Reads LWS delta-seconds at the start of s; end is the offset after the digits. A value above 2^32-1 is out of
    // range (RFC 3261 §20.19 bounds delta-seconds to 32 bits; RFC 4475 §3.1.2.5 treats larger ones as invalid).
    public static bool TryRead(ReadOnlySpan<byte> s, out uint seconds, out int end, out SipHeaderRejection rejection)
    {
        seconds = 0;
        var i = Lws.Skip(s, 0);
        var digits = i < s.Length ? s[i..].IndexOfAnyExcept(SipCharacters.Digit) : 0;
        if (digits < 0)
        {
            digits = s.Length - i;
        }

        end = i + digits;
        if (digits == 0)
        {
            rejection = new SipHeaderRejection(i >= s.Length ? SipHeaderError.Empty : SipHeaderError.InvalidNumber, i);
            return false;
        }

        if (!SipNumber.TryParseUInt32(s.Slice(i, digits), out seconds))
        {
            rejection = new SipHeaderRejection(SipHeaderError.ValueOutOfRange, i);
            return false;
        }

        rejection = SipHeaderRejection.None;
        return true;
    }
}
