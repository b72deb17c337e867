using Routing.Sip.Syntax;

namespace Routing.Sip.Tests.Syntax;

public sealed class SipNumberTests
{
    [Theory]
    [InlineData("0", true, 0u)]
    [InlineData("4294967295", true, 4294967295u)]
    [InlineData("4294967296", false, 0u)]
    [InlineData("", false, 0u)]
    [InlineData("12a", false, 0u)]
    [InlineData("-1", false, 0u)]
    public void TryParseUInt32_Digits_ParsesOrRejects(string text, bool ok, uint expected)
    {
        Assert.Equal(ok, SipNumber.TryParseUInt32(System.Text.Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void TryParseDeltaSeconds_HugeValue_Saturates()
    {
        Assert.True(SipNumber.TryParseDeltaSeconds("99999999999999999999999"u8, out var value));
        Assert.Equal(uint.MaxValue, value);
    }

    [Fact]
    public void TryParseInt32_AboveIntMax_Rejects()
    {
        Assert.False(SipNumber.TryParseInt32("2147483648"u8, out _));
        Assert.True(SipNumber.TryParseInt32("2147483647"u8, out var v));
        Assert.Equal(int.MaxValue, v);
    }
}
