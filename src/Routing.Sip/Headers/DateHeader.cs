using System.Buffers.Text;
using Routing.Sip.Syntax;

namespace Routing.Sip.Headers;

/// <summary>
/// Date = SIP-date = rfc1123-date: wkday "," SP date1 SP time SP "GMT", date1 = 2DIGIT SP month SP 4DIGIT, time =
/// 2DIGIT ":" 2DIGIT ":" 2DIGIT (RFC 3261 §20.17, §25.1). Only GMT is allowed (RFC 4475 §3.1.2.12).
/// </summary>
public readonly struct DateHeader : ISipHeaderValue<DateHeader>
{
    private DateHeader(DateTimeOffset value) => Value = value;

    /// <summary>The instant, in UTC.</summary>
    public DateTimeOffset Value { get; }

    /// <summary>Parses a Date value.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> value, out DateHeader result, out SipHeaderRejection rejection)
    {
        result = default;
        var s = value.Span;
        var start = Lws.Skip(s, 0);
        var end = Lws.SkipBackward(s, s.Length);
        if (end <= start)
        {
            rejection = new SipHeaderRejection(SipHeaderError.Empty, 0);
            return false;
        }

        var d = s[start..end];

        // "Sun, 06 Nov 1994 08:49:37 GMT" is exactly 29 octets; anything after "08:49:37 " is the zone.
        if (d.Length < 29 || d[3] != (byte)',' || d[4] != (byte)' ' || d[7] != (byte)' ' || d[11] != (byte)' '
            || d[16] != (byte)' ' || d[19] != (byte)':' || d[22] != (byte)':' || d[25] != (byte)' ')
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidDate, start);
            return false;
        }

        // ABNF literals are case-insensitive (RFC 5234 §2.3), so "gmt" is accepted as well.
        if (!System.Text.Ascii.EqualsIgnoreCase(d[26..], "GMT"u8))
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidTimeZone, start + 26);
            return false;
        }

        if (IndexOf(WeekDays, d[..3]) < 0)
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidDate, start);
            return false;
        }

        var month = IndexOf(Months, d.Slice(8, 3)) + 1;
        if (month == 0
            || !TryDigits(d.Slice(5, 2), out var day) || !TryDigits(d.Slice(12, 4), out var year)
            || !TryDigits(d.Slice(17, 2), out var hour) || !TryDigits(d.Slice(20, 2), out var minute)
            || !TryDigits(d.Slice(23, 2), out var second)
            || year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            rejection = new SipHeaderRejection(SipHeaderError.InvalidDate, start);
            return false;
        }

        result = new DateHeader(new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero));
        rejection = SipHeaderRejection.None;
        return true;
    }

    /// <summary>Formats an instant as rfc1123-date in GMT (29 bytes); returns bytes written or -1 when too small.</summary>
    public static int Format(DateTimeOffset value, Span<byte> destination)
    {
        var utc = value.UtcDateTime;
        return Utf8Formatter.TryFormat(utc, destination, out var written, new System.Buffers.StandardFormat('R')) ? written : -1;
    }

    private static readonly string[] WeekDays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private static int IndexOf(string[] names, ReadOnlySpan<byte> text)
    {
        for (var k = 0; k < names.Length; k++)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(text, names[k]))
            {
                return k;
            }
        }

        return -1;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value) =>
        SipNumber.TryParseInt32(text, out value);
}
