using Routing.Sip.Syntax;

namespace Routing.Sip.Tests.Syntax;

public sealed class LwsTests
{
    [Theory]
    [InlineData("   abc", 0, 3)]
    [InlineData("\t \r\n abc", 0, 5)]
    [InlineData("\r\nabc", 0, 0)]
    [InlineData("a \n\tb", 1, 4)]
    [InlineData("abc", 3, 3)]
    public void Skip_WhitespaceAndFolds_StopsAtFirstContent(string text, int start, int expected)
    {
        Assert.Equal(expected, Lws.Skip(System.Text.Encoding.ASCII.GetBytes(text), start));
    }

    [Fact]
    public void Trim_FoldedValue_RemovesBothSides()
    {
        var trimmed = Lws.Trim(" \r\n\t value \t"u8);
        Assert.True(trimmed.SequenceEqual("value"u8));
    }

    [Fact]
    public void TrimRange_AllWhitespace_ReturnsEmpty()
    {
        var (_, length) = Lws.TrimRange("  \t "u8);
        Assert.Equal(0, length);
    }
}
