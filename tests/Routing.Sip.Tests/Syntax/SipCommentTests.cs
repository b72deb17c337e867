using Routing.Sip.Syntax;

namespace Routing.Sip.Tests.Syntax;

public sealed class SipCommentTests
{
    [Theory]
    [InlineData("(simple)", 8)]
    [InlineData("(nested (twice (deep))) tail", 23)]
    [InlineData("(escaped \\) paren)", 18)]
    [InlineData("(utf8 \u00e9)", 9)]
    [InlineData("(folded\r\n text)", 15)]
    public void TryRead_Rfc3261_25_1_Comment_ReturnsLength(string text, int length)
    {
        Assert.True(SipComment.TryRead(System.Text.Encoding.UTF8.GetBytes(text), out var actual, out _));
        Assert.Equal(length, actual);
    }

    [Theory]
    [InlineData("(open", SipSyntaxError.UnterminatedQuotedString)]
    [InlineData("(a (b)", SipSyntaxError.UnterminatedQuotedString)]
    [InlineData("(bad\u0001)", SipSyntaxError.InvalidQuotedText)]
    [InlineData("(bad\\\r)", SipSyntaxError.InvalidQuotedPair)]
    [InlineData("no paren", SipSyntaxError.UnterminatedQuotedString)]
    public void TryRead_Malformed_Rejected(string text, SipSyntaxError reason)
    {
        Assert.False(SipComment.TryRead(System.Text.Encoding.UTF8.GetBytes(text), out _, out var rejection));
        Assert.Equal(reason, rejection.Reason);
    }
}
