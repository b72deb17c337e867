using Routing.Sip.Syntax;

namespace Routing.Sip.Tests.Syntax;

public sealed class PercentEncodingTests
{
    [Fact]
    public void DecodeToString_DoubleEncodedPercent_DecodesOnlyOnce()
    {
        // RFC 3261 §19.1.2: "%2541" is the escaped form of "%41", not of "A".
        Assert.Equal("%41", PercentEncoding.DecodeToString("%2541"u8));
    }

    [Fact]
    public void TryDecode_MixedCaseHex_Decodes()
    {
        Span<byte> buffer = stackalloc byte[8];
        Assert.True(PercentEncoding.TryDecode("%3a%3B%40"u8, buffer, out var written));
        Assert.True(buffer[..written].SequenceEqual(":;@"u8));
    }

    [Theory]
    [InlineData("abc%", 3)]
    [InlineData("abc%4", 3)]
    [InlineData("%zz", 0)]
    [InlineData("a%4g", 1)]
    public void IsWellFormed_BadEscape_ReportsOffset(string text, int offset)
    {
        Assert.False(PercentEncoding.IsWellFormed(System.Text.Encoding.ASCII.GetBytes(text), out var error));
        Assert.Equal(offset, error);
    }

    [Fact]
    public void TryDecode_MalformedEscape_Fails()
    {
        Span<byte> buffer = stackalloc byte[8];
        Assert.False(PercentEncoding.TryDecode("a%g1"u8, buffer, out var written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void TryDecode_DestinationTooSmall_Fails()
    {
        Span<byte> buffer = stackalloc byte[2];
        Assert.False(PercentEncoding.TryDecode("abc"u8, buffer, out _));
    }

    [Fact]
    public void GetDecodedLength_Escapes_CountsOctets()
    {
        Assert.Equal(5, PercentEncoding.GetDecodedLength("%61lic%65"u8));
    }

    [Theory]
    [InlineData("%61lice", "alice", false, true)]
    [InlineData("alice", "ALICE", false, false)]
    [InlineData("alice", "ALICE", true, true)]
    [InlineData("%41lice", "alice", true, true)]
    [InlineData("alice", "alic", false, false)]
    [InlineData("%2541", "%41", false, false)]
    [InlineData("%2541", "%2541", false, true)]
    public void DecodedEquals_Rfc3261_19_1_4_EscapedEquivalence(string left, string right, bool ignoreCase, bool expected)
    {
        var l = System.Text.Encoding.ASCII.GetBytes(left);
        var r = System.Text.Encoding.ASCII.GetBytes(right);
        Assert.Equal(expected, PercentEncoding.DecodedEquals(l, r, ignoreCase));
    }

    [Fact]
    public void Encode_CharactersOutsideSet_AreEscapedUpperHex()
    {
        var input = "a b@c%"u8;
        Span<byte> buffer = stackalloc byte[PercentEncoding.GetEncodedLength(input, SipCharacters.UserChars)];
        var written = PercentEncoding.Encode(input, SipCharacters.UserChars, buffer);
        Assert.True(buffer[..written].SequenceEqual("a%20b%40c%25"u8));
    }

    [Theory]
    [InlineData("a%3Bb", "a;b", false)]
    [InlineData("a%3Bb", "a%3bb", true)]
    [InlineData("%61", "a", true)]
    public void DecodedEquals_ReservedEscapes_OnlyEqualToEscapedForm(string left, string right, bool expected)
    {
        var l = System.Text.Encoding.ASCII.GetBytes(left);
        var r = System.Text.Encoding.ASCII.GetBytes(right);
        Assert.Equal(expected, PercentEncoding.DecodedEquals(l, r, ignoreCase: false, SipCharacters.Reserved));
    }

    [Theory]
    [InlineData("%61lic%65", "alice")]
    [InlineData("a%3bb", "a%3Bb")]
    [InlineData("I%20have", "I%20have")]
    [InlineData("a;b", "a;b")]
    [InlineData("%7e", "~")]
    public void Normalize_DecodesOnlyUnreservedEscapes(string input, string expected)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(input);
        Span<byte> buffer = stackalloc byte[bytes.Length];
        var written = PercentEncoding.Normalize(bytes, buffer);
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(buffer[..written]));
    }
}
