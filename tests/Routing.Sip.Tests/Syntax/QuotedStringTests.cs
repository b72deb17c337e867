using Routing.Sip.Syntax;

namespace Routing.Sip.Tests.Syntax;

public sealed class QuotedStringTests
{
    [Fact]
    public void TryRead_PlainString_ReturnsLengthWithQuotes()
    {
        Assert.True(QuotedString.TryRead("\"Bob\" <sip:b@x>"u8, out var token, out _));
        Assert.Equal(5, token.Length);
        Assert.Equal(3, token.ContentLength);
        Assert.False(token.NeedsUnescape);
    }

    [Fact]
    public void TryRead_QuotedPairs_FlagsUnescapeAndSkipsEscapedQuote()
    {
        var input = "\"a \\\"quoted\\\" \\\\ name\" rest"u8;
        Assert.True(QuotedString.TryRead(input, out var token, out _));
        Assert.True(token.NeedsUnescape);
        Assert.Equal((byte)' ', input[token.Length]);
        Assert.Equal("a \"quoted\" \\ name", QuotedString.UnescapeToString(input.Slice(1, token.ContentLength)));
    }

    [Fact]
    public void TryRead_NoClosingQuote_RejectsUnterminated()
    {
        Assert.False(QuotedString.TryRead("\"abc"u8, out _, out var rejection));
        Assert.Equal(SipSyntaxError.UnterminatedQuotedString, rejection.Reason);
    }

    [Fact]
    public void TryRead_BackslashAtEnd_RejectsUnterminated()
    {
        Assert.False(QuotedString.TryRead("\"abc\\\""u8, out _, out var rejection));
        Assert.Equal(SipSyntaxError.UnterminatedQuotedString, rejection.Reason);
    }

    [Fact]
    public void TryRead_QuotedPairOfCr_RejectsInvalidQuotedPair()
    {
        Assert.False(QuotedString.TryRead("\"ab\\\rc\""u8, out _, out var rejection));
        Assert.Equal(SipSyntaxError.InvalidQuotedPair, rejection.Reason);
        Assert.Equal(3, rejection.Offset);
    }

    [Fact]
    public void TryRead_ControlCharacter_RejectsInvalidQuotedText()
    {
        Assert.False(QuotedString.TryRead("\"a\u0001b\""u8, out _, out var rejection));
        Assert.Equal(SipSyntaxError.InvalidQuotedText, rejection.Reason);
        Assert.Equal(2, rejection.Offset);
    }

    [Fact]
    public void TryRead_Utf8Content_Accepted()
    {
        var input = "\"J\u00e9r\u00f4me\""u8;
        Assert.True(QuotedString.TryRead(input, out var token, out _));
        Assert.Equal("J\u00e9r\u00f4me", QuotedString.UnescapeToString(input.Slice(1, token.ContentLength)));
    }

    [Fact]
    public void TryRead_FoldInside_ReadsAcrossFoldAndUnescapeDropsCrlf()
    {
        var input = "\"first\r\n second\""u8;
        Assert.True(QuotedString.TryRead(input, out var token, out _));
        Assert.Equal(input.Length, token.Length);
        Assert.Equal("first second", QuotedString.UnescapeToString(input.Slice(1, token.ContentLength)));
    }

    [Fact]
    public void Unescape_DestinationTooSmall_ReturnsMinusOne()
    {
        Span<byte> small = stackalloc byte[2];
        Assert.Equal(-1, QuotedString.Unescape("abc"u8, small));
    }

    [Fact]
    public void Unescape_IntoCallerBuffer_WritesUnescapedBytes()
    {
        var content = "a\\\"b"u8;
        Span<byte> buffer = stackalloc byte[QuotedString.GetUnescapedLength(content)];
        var written = QuotedString.Unescape(content, buffer);
        Assert.Equal(3, written);
        Assert.True(buffer.SequenceEqual("a\"b"u8));
    }

    [Fact]
    public void Quote_TextWithQuoteAndBackslash_RoundTripsThroughReader()
    {
        var text = "say \"hi\" \\o/"u8;
        Span<byte> buffer = stackalloc byte[QuotedString.GetQuotedLength(text)];
        var written = QuotedString.Quote(text, buffer);
        Assert.Equal(buffer.Length, written);
        Assert.True(QuotedString.TryRead(buffer, out var token, out _));
        Assert.Equal(written, token.Length);
        Assert.Equal("say \"hi\" \\o/", QuotedString.UnescapeToString(buffer.Slice(1, token.ContentLength)));
    }
}
