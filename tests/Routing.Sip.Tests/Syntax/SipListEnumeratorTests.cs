using Routing.Sip.Syntax;

namespace Routing.Sip.Tests.Syntax;

public sealed class SipListEnumeratorTests
{
    private static List<string> Split(string value, out SipSyntaxError error)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        var items = new List<string>();
        var e = SipList.Enumerate(bytes);
        while (e.MoveNext())
        {
            items.Add(System.Text.Encoding.UTF8.GetString(e.Current));
        }

        error = e.Error;
        return items;
    }

    [Fact]
    public void Enumerate_Rfc3261_7_3_1_CommasInQuotesAndAngles_DoNotSplit()
    {
        var items = Split("\"Doe, John\" <sip:j@x;a=1,2>;q=0.7 , <sip:b@y>,sip:c@z", out var error);
        Assert.Equal(SipSyntaxError.None, error);
        Assert.Equal(["\"Doe, John\" <sip:j@x;a=1,2>;q=0.7", "<sip:b@y>", "sip:c@z"], items);
    }

    [Fact]
    public void Enumerate_EscapedQuoteInsideQuotedString_StaysInElement()
    {
        var items = Split("\"a\\\",b\" <sip:x@y>, <sip:z@w>", out var error);
        Assert.Equal(SipSyntaxError.None, error);
        Assert.Equal(2, items.Count);
        Assert.Equal("\"a\\\",b\" <sip:x@y>", items[0]);
    }

    [Fact]
    public void Enumerate_EmptyElementsAndFolds_AreSkippedAndTrimmed()
    {
        var items = Split(" a ,,\r\n b,  ,", out var error);
        Assert.Equal(SipSyntaxError.None, error);
        Assert.Equal(["a", "b"], items);
    }

    [Theory]
    [InlineData("<sip:a@b, c", SipSyntaxError.UnbalancedAngleBracket, 0)]
    [InlineData("a>, b", SipSyntaxError.UnbalancedAngleBracket, 1)]
    [InlineData("<a<b>>", SipSyntaxError.UnbalancedAngleBracket, 2)]
    [InlineData("x, \"abc", SipSyntaxError.UnterminatedQuotedString, 3)]
    public void Enumerate_Malformed_ReportsReasonAndOffset(string value, SipSyntaxError reason, int offset)
    {
        Assert.False(SipList.TryCount(System.Text.Encoding.ASCII.GetBytes(value), out _, out var rejection));
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }

    [Fact]
    public void Enumerate_Offsets_PointIntoInput()
    {
        var input = "a, bc"u8;
        var e = SipList.Enumerate(input);
        Assert.True(e.MoveNext());
        Assert.True(e.MoveNext());
        Assert.Equal(3, e.CurrentOffset);
        Assert.Equal(2, e.CurrentLength);
    }
}
