using Routing.Sip.Headers;
using static Routing.Sip.Tests.Headers.HeaderTestHelpers;

namespace Routing.Sip.Tests.Headers;

public sealed class CSeqHeaderTests
{
    [Fact]
    public void TryParse_Typical_NumberAndMethod()
    {
        var cseq = Ok<CSeqHeader>("4711 INVITE");
        Assert.Equal(4711u, cseq.Number);
        Assert.Equal("INVITE", S(cseq.Method));
    }

    [Fact]
    public void Rfc4475_3_1_1_1_FoldedCSeqWithLeadingZeros_Accepted()
    {
        var cseq = Ok<CSeqHeader>("0009\r\n  INVITE");
        Assert.Equal(9u, cseq.Number);
        Assert.Equal("INVITE", S(cseq.Method));
    }

    [Fact]
    public void Rfc4475_3_1_1_2_UnusualMethodToken_Accepted()
    {
        var cseq = Ok<CSeqHeader>("139122385 !interesting-Method0123456789_*+`.%indeed'~");
        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", S(cseq.Method));
    }

    [Theory]
    [InlineData("36893488147419103232 REGISTER")]
    [InlineData("9292394834772304023312 OPTIONS")]
    public void Rfc4475_3_1_2_4_And_3_1_2_5_OverlargeCSeq_RejectedOutOfRange(string value)
    {
        var rejection = Bad<CSeqHeader>(value);
        Assert.Equal(SipHeaderError.ValueOutOfRange, rejection.Reason);
        Assert.Equal(0, rejection.Offset);
    }

    [Theory]
    [InlineData("INVITE", SipHeaderError.InvalidNumber, 0)]
    [InlineData("-1 INVITE", SipHeaderError.InvalidNumber, 0)]
    [InlineData("12", SipHeaderError.InvalidMethod, 2)]
    [InlineData("12 ", SipHeaderError.InvalidMethod, 3)]
    [InlineData("12INVITE", SipHeaderError.InvalidNumber, 2)]
    [InlineData("12 INVITE extra", SipHeaderError.UnexpectedCharacter, 9)]
    [InlineData("12 IN<VITE", SipHeaderError.UnexpectedCharacter, 5)]
    public void TryParse_Malformed_ReportsReasonAndOffset(string value, SipHeaderError reason, int offset)
    {
        var rejection = Bad<CSeqHeader>(value);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }
}

public sealed class SessionExpiresHeaderTests
{
    [Theory]
    [InlineData("1800", 1800u, SessionRefresher.None)]
    [InlineData("4000;refresher=uac", 4000u, SessionRefresher.Uac)]
    [InlineData(" 90 ; refresher = UAS ;x=y", 90u, SessionRefresher.Uas)]
    public void Rfc4028_4_SessionExpires_Parses(string value, uint seconds, SessionRefresher refresher)
    {
        var se = Ok<SessionExpiresHeader>(value);
        Assert.Equal(seconds, se.DeltaSeconds);
        Assert.Equal(refresher, se.Refresher);
    }

    [Theory]
    [InlineData("1800;refresher=proxy", SipHeaderError.InvalidRefresher, 15)]
    [InlineData("abc", SipHeaderError.InvalidNumber, 0)]
    [InlineData("", SipHeaderError.Empty, 0)]
    [InlineData("99999999999", SipHeaderError.ValueOutOfRange, 0)]
    [InlineData("1800 x", SipHeaderError.InvalidParameter, 5)]
    public void Rfc4028_4_Malformed_Rejected(string value, SipHeaderError reason, int offset)
    {
        var rejection = Bad<SessionExpiresHeader>(value);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }
}

public sealed class ReasonHeaderTests
{
    [Fact]
    public void Rfc3326_2_Q850CauseAndText_Parsed()
    {
        var reason = Ok<ReasonHeader>("Q.850 ;cause=16 ;text=\"Terminated \\\"normally\\\"\"");
        Assert.Equal("Q.850", S(reason.Protocol));
        Assert.Equal(16, reason.Cause);
        Assert.Equal("Terminated \"normally\"", reason.GetText());
    }

    [Fact]
    public void Rfc3326_2_SeveralValues_EnumeratedAsList()
    {
        var list = OkList<ReasonHeader>("SIP ;cause=200 ;text=\"Call completed elsewhere\", Q.850;cause=26");
        Assert.Equal(2, list.Count);
        Assert.Equal(200, list.First.Cause);
        Assert.Equal("Call completed elsewhere", S(list.First.Text));
    }

    [Fact]
    public void Rfc3326_2_NoParameters_CauseNull()
    {
        var reason = Ok<ReasonHeader>("preemption");
        Assert.Null(reason.Cause);
        Assert.Null(reason.GetText());
    }

    [Theory]
    [InlineData("SIP;cause=abc", SipHeaderError.InvalidCause, 10)]
    [InlineData(";cause=1", SipHeaderError.InvalidProtocol, 0)]
    [InlineData("SIP;text=\"open", SipHeaderError.UnterminatedQuotedString, 9)]
    public void Rfc3326_2_Malformed_Rejected(string value, SipHeaderError reason, int offset)
    {
        var rejection = Bad<ReasonHeader>(value);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }
}

public sealed class RetryAfterHeaderTests
{
    [Fact]
    public void Rfc3261_20_33_CommentAndDuration_Parsed()
    {
        var ra = Ok<RetryAfterHeader>("18000;duration=3600");
        Assert.Equal(18000u, ra.DeltaSeconds);
        Assert.Equal(3600u, ra.Duration);

        var withComment = Ok<RetryAfterHeader>("120 (I'm in a meeting (really))");
        Assert.Equal(120u, withComment.DeltaSeconds);
        Assert.Equal("(I'm in a meeting (really))", S(withComment.Comment));
        Assert.Null(withComment.Duration);
    }

    [Fact]
    public void Rfc4475_3_1_2_5_OverlargeRetryAfter_RejectedOutOfRange()
    {
        Assert.Equal(SipHeaderError.ValueOutOfRange, Bad<RetryAfterHeader>("949302838503028349304023988").Reason);
    }

    [Theory]
    [InlineData("120 (unterminated", SipHeaderError.InvalidComment, 4)]
    [InlineData("120;duration=x", SipHeaderError.InvalidNumber, 13)]
    [InlineData("soon", SipHeaderError.InvalidNumber, 0)]
    public void Rfc3261_20_33_Malformed_Rejected(string value, SipHeaderError reason, int offset)
    {
        var rejection = Bad<RetryAfterHeader>(value);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }
}

public sealed class CallerPreferenceTests
{
    [Fact]
    public void Rfc3841_10_AcceptContact_FeatureTagsAndFlags()
    {
        var list = OkList<CallerPreference>("*;audio;video;require;explicit, *;+sip.mobility=\"mobile\";methods=\"INVITE,BYE\"");
        Assert.Equal(2, list.Count);
        var first = list.First;
        Assert.True(first.IsRequire);
        Assert.True(first.IsExplicit);
        Assert.True(first.HasFeatureTag("sip.audio"u8));
        Assert.True(first.HasFeatureTag("video"u8));

        var e = list.GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.True(e.MoveNext());
        Assert.False(e.Current.IsRequire);
        Assert.True(e.Current.TryGetFeatureTag("mobility"u8, out var mobility));
        Assert.Equal("mobile", S(mobility));
        Assert.True(e.Current.TryGetFeatureTag("sip.methods"u8, out var methods));
        Assert.Equal("INVITE,BYE", S(methods));
    }

    [Fact]
    public void Rfc3841_10_RejectContact_Parses()
    {
        var rc = Ok<CallerPreference>("*;actor=\"msg-taker\";video");
        Assert.True(rc.TryGetFeatureTag("sip.actor"u8, out var actor));
        Assert.Equal("msg-taker", S(actor));
    }

    [Theory]
    [InlineData("audio", SipHeaderError.UnexpectedCharacter, 0)]
    [InlineData("*;", SipHeaderError.InvalidParameter, 2)]
    [InlineData("", SipHeaderError.Empty, 0)]
    public void Rfc3841_10_Malformed_Rejected(string value, SipHeaderError reason, int offset)
    {
        var rejection = Bad<CallerPreference>(value);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }
}

public sealed class TimestampHeaderTests
{
    [Theory]
    [InlineData("54", "54", "")]
    [InlineData("54.123 0.5", "54.123", "0.5")]
    [InlineData("100. .25", "100.", ".25")]
    public void Rfc3261_20_38_Timestamp_ParsesValueAndDelay(string text, string value, string delay)
    {
        var ts = Ok<TimestampHeader>(text);
        Assert.Equal(value, S(ts.Value));
        Assert.Equal(delay, S(ts.Delay));
        Assert.Equal(delay.Length > 0, ts.HasDelay);
    }

    [Fact]
    public void Rfc3261_20_38_Timestamp_NumericValues()
    {
        var ts = Ok<TimestampHeader>("54.123 0.5");
        Assert.True(ts.TryGetValue(out var value));
        Assert.Equal(54.123m, value);
        Assert.True(ts.TryGetDelay(out var delay));
        Assert.Equal(0.5m, delay);
        Assert.True(Ok<TimestampHeader>("100. .25").TryGetValue(out var whole));
        Assert.Equal(100m, whole);
        Assert.True(Ok<TimestampHeader>("100. .25").TryGetDelay(out var fraction));
        Assert.Equal(0.25m, fraction);
        Assert.True(Ok<TimestampHeader>("1").TryGetDelay(out var none));
        Assert.Equal(0m, none);
        Assert.False(Ok<TimestampHeader>("999999999999999999999999999999999999").TryGetValue(out _));
    }

    [Theory]
    [InlineData(".5", SipHeaderError.InvalidNumber, 0)]
    [InlineData("", SipHeaderError.Empty, 0)]
    [InlineData("5 x", SipHeaderError.UnexpectedCharacter, 2)]
    [InlineData("5x", SipHeaderError.UnexpectedCharacter, 1)]
    [InlineData("5 1 2", SipHeaderError.UnexpectedCharacter, 3)]
    public void Rfc3261_20_38_Malformed_Rejected(string value, SipHeaderError reason, int offset)
    {
        var rejection = Bad<TimestampHeader>(value);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }
}

public sealed class DateHeaderTests
{
    [Fact]
    public void Rfc3261_20_17_Rfc1123Date_Parsed()
    {
        var date = Ok<DateHeader>("Sat, 13 Nov 2010 23:29:00 GMT");
        Assert.Equal(new DateTimeOffset(2010, 11, 13, 23, 29, 0, TimeSpan.Zero), date.Value);
    }

    [Fact]
    public void Rfc4475_3_1_2_12_NonGmtTimeZone_Rejected()
    {
        var rejection = Bad<DateHeader>("Fri, 01 Jan 2010 16:00:00 EST");
        Assert.Equal(SipHeaderError.InvalidTimeZone, rejection.Reason);
        Assert.Equal(26, rejection.Offset);
    }

    [Theory]
    [InlineData("Sat, 30 Feb 2010 23:29:00 GMT")]
    [InlineData("Xyz, 13 Nov 2010 23:29:00 GMT")]
    [InlineData("Sat, 13 Foo 2010 23:29:00 GMT")]
    [InlineData("Sat, 13 Nov 2010 24:00:00 GMT")]
    [InlineData("Sat,13 Nov 2010 23:29:00 GMT")]
    [InlineData("13 Nov 2010 23:29:00 GMT")]
    public void Rfc3261_20_17_MalformedDate_RejectsInvalidDate(string value)
    {
        Assert.Equal(SipHeaderError.InvalidDate, Bad<DateHeader>(value).Reason);
    }

    [Fact]
    public void Format_RoundTripsThroughParse()
    {
        var instant = new DateTimeOffset(2026, 11, 26, 14, 30, 5, TimeSpan.FromHours(2));
        Span<byte> buffer = stackalloc byte[64];
        var written = DateHeader.Format(instant, buffer);
        Assert.Equal(29, written);
        Assert.Equal("Thu, 26 Nov 2026 12:30:05 GMT", S(buffer[..written]));
        Assert.True(DateHeader.TryParse(buffer[..written].ToArray(), out var parsed, out _));
        Assert.Equal(instant, parsed.Value);
    }
}

public sealed class ProductHeaderTests
{
    [Fact]
    public void Rfc3261_20_41_ProductsAndComments_Enumerated()
    {
        var ua = Ok<ProductHeader>("Softphone/3.2.1 (iOS 17.1; iPhone15,2) libre / 2.0 baresip");
        var items = new List<string>();
        foreach (var p in ua)
        {
            items.Add(p.IsComment ? "c:" + S(p.Comment) : S(p.Name) + "|" + S(p.Version));
        }

        Assert.Equal(["Softphone|3.2.1", "c:(iOS 17.1; iPhone15,2)", "libre|2.0", "baresip|"], items);
    }

    [Theory]
    [InlineData("Softphone/", SipHeaderError.InvalidProduct, 10)]
    [InlineData("Soft(phone", SipHeaderError.InvalidComment, 4)]
    [InlineData("a/b/c", SipHeaderError.InvalidProduct, 3)]
    [InlineData("", SipHeaderError.Empty, 0)]
    [InlineData("x (a\\", SipHeaderError.InvalidComment, 2)]
    public void Rfc3261_20_41_Malformed_Rejected(string value, SipHeaderError reason, int offset)
    {
        var rejection = Bad<ProductHeader>(value);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }

    [Fact]
    public void TryParse_DeeplyNestedComment_RejectedWithoutRecursion()
    {
        var value = "x " + new string('(', 100) + new string(')', 100);
        Assert.Equal(SipHeaderError.InvalidComment, Bad<ProductHeader>(value).Reason);
    }
}

public sealed class DeltaSecondsHeaderTests
{
    [Theory]
    [InlineData("3600", 3600u)]
    [InlineData(" 0 ", 0u)]
    [InlineData("90;x=1", 90u)]
    public void Rfc3261_20_19_DeltaSeconds_Parsed(string value, uint seconds)
    {
        Assert.Equal(seconds, Ok<DeltaSecondsHeader>(value).Seconds);
    }

    [Fact]
    public void Rfc4475_3_1_2_4_OverlargeExpires_RejectedOutOfRange()
    {
        var rejection = Bad<DeltaSecondsHeader>("10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000");
        Assert.Equal(SipHeaderError.ValueOutOfRange, rejection.Reason);
    }

    [Theory]
    [InlineData("", SipHeaderError.Empty)]
    [InlineData("-1", SipHeaderError.InvalidNumber)]
    [InlineData("60 x", SipHeaderError.InvalidParameter)]
    public void Rfc3261_20_19_Malformed_Rejected(string value, SipHeaderError reason)
    {
        Assert.Equal(reason, Bad<DeltaSecondsHeader>(value).Reason);
    }
}

public sealed class MaxForwardsHeaderTests
{
    [Theory]
    [InlineData("70", 70)]
    [InlineData("0", 0)]
    [InlineData("0068", 68)]
    [InlineData("255", 255)]
    public void Rfc3261_20_22_MaxForwards_Parsed(string value, int hops)
    {
        Assert.Equal(hops, Ok<MaxForwardsHeader>(value).Hops);
    }

    [Fact]
    public void Rfc4475_3_1_2_4_MaxForwardsAbove255_RejectedOutOfRange()
    {
        Assert.Equal(SipHeaderError.ValueOutOfRange, Bad<MaxForwardsHeader>("300").Reason);
    }

    [Theory]
    [InlineData("70 1", SipHeaderError.UnexpectedCharacter)]
    [InlineData("seventy", SipHeaderError.InvalidNumber)]
    [InlineData("", SipHeaderError.Empty)]
    public void Rfc3261_20_22_Malformed_Rejected(string value, SipHeaderError reason)
    {
        Assert.Equal(reason, Bad<MaxForwardsHeader>(value).Reason);
    }
}
