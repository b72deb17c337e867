using Routing.Sip.Syntax;

namespace Routing.Sip.Tests.Syntax;

public sealed class SipListMemoryEnumeratorTests
{
    [Fact]
    public void EnumerateMemory_SameElementsAsSpanEnumerator()
    {
        var value = "\"a, b\" <sip:x@y>;p=1 , ,<sip:z@w>,last"u8.ToArray();
        var fromMemory = new List<(int, string)>();
        var e = SipList.EnumerateMemory(value);
        while (e.MoveNext())
        {
            fromMemory.Add((e.CurrentOffset, System.Text.Encoding.ASCII.GetString(e.Current.Span)));
        }

        var fromSpan = new List<(int, string)>();
        var s = SipList.Enumerate(value);
        while (s.MoveNext())
        {
            fromSpan.Add((s.CurrentOffset, System.Text.Encoding.ASCII.GetString(s.Current)));
        }

        Assert.Equal(fromSpan, fromMemory);
        Assert.Equal(3, fromMemory.Count);
        Assert.Equal(SipSyntaxError.None, e.Error);
    }

    [Fact]
    public void EnumerateMemory_UnterminatedQuoteInSecondElement_ReportsAbsoluteOffset()
    {
        var e = SipList.EnumerateMemory("a, \"open"u8.ToArray());
        Assert.True(e.MoveNext());
        Assert.False(e.MoveNext());
        Assert.Equal(SipSyntaxError.UnterminatedQuotedString, e.Error);
        Assert.Equal(3, e.ErrorOffset);
    }

    [Fact]
    public void EnumerateMemory_Foreach_Works()
    {
        var count = 0;
        foreach (var item in SipList.EnumerateMemory("x,y,z"u8.ToArray()))
        {
            Assert.Equal(1, item.Length);
            count++;
        }

        Assert.Equal(3, count);
    }
}
