using Routing.Sip.Syntax;

namespace Routing.Sip.Tests.Syntax;

public sealed class SipCharactersTests
{
    [Theory]
    [InlineData("INVITE", true)]
    [InlineData("z9hG4bK-.!%*_+`'~", true)]
    [InlineData("a b", false)]
    [InlineData("a:b", false)]
    [InlineData("", false)]
    [InlineData("a\"", false)]
    public void IsToken_Rfc3261Rule_MatchesTokenSet(string text, bool expected)
    {
        Assert.Equal(expected, SipCharacters.IsToken(System.Text.Encoding.ASCII.GetBytes(text)));
    }

    [Theory]
    [InlineData("f81d4fae-7dec-11d0-a765-00a0c91e6bf6", true)]
    [InlineData("a@b", false)]
    [InlineData("a<b>c:d\\e\"f/g[h]i?j{k}l(m)", true)]
    [InlineData("a b", false)]
    [InlineData("a;b", false)]
    [InlineData("a,b", false)]
    public void IsWord_CallIdLikeValues_MatchesWordSet(string text, bool expected)
    {
        Assert.Equal(expected, SipCharacters.IsWord(System.Text.Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Unreserved_IsAlphanumPlusMark_Exactly()
    {
        for (var b = 0; b < 256; b++)
        {
            var c = (char)b;
            var expected = char.IsAsciiLetterOrDigit(c) || "-_.!~*'()".Contains(c, StringComparison.Ordinal);
            Assert.Equal(expected, SipCharacters.Unreserved.Contains((byte)b));
        }
    }

    [Theory]
    [InlineData('&', true)]
    [InlineData(';', true)]
    [InlineData('?', true)]
    [InlineData('/', true)]
    [InlineData('@', false)]
    [InlineData(':', false)]
    public void UserUnreserved_Rfc3261Rule_ContainsExpected(char c, bool expected)
    {
        Assert.Equal(expected, SipCharacters.UserUnreserved.Contains((byte)c));
    }

    [Theory]
    [InlineData('[', true, true)]
    [InlineData(':', true, true)]
    [InlineData('&', true, false)]
    [InlineData('?', false, true)]
    [InlineData('=', false, false)]
    public void ParamAndHnvUnreserved_Rfc3261Rules_Differ(char c, bool param, bool hnv)
    {
        Assert.Equal(param, SipCharacters.ParamUnreserved.Contains((byte)c));
        Assert.Equal(hnv, SipCharacters.HnvUnreserved.Contains((byte)c));
    }

    [Fact]
    public void QdText_ExcludesDquoteBackslashAndControls_IncludesUtf8()
    {
        Assert.False(SipCharacters.QdText.Contains((byte)'"'));
        Assert.False(SipCharacters.QdText.Contains((byte)'\\'));
        Assert.False(SipCharacters.QdText.Contains(0x7F));
        Assert.False(SipCharacters.QdText.Contains(0x0D));
        Assert.True(SipCharacters.QdText.Contains(0xC3));
        Assert.True(SipCharacters.QdText.Contains((byte)'!'));
    }
}
