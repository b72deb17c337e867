using Routing.Sip.Syntax;

namespace Routing.Sip.Tests.Syntax;

public sealed class SipParametersTests
{
    [Fact]
    public void Enumerate_UriParameters_YieldsNamesValuesAndFlags()
    {
        var input = ";transport=tcp;lr;maddr=239.255.255.1;x%3dy=a%20b"u8;
        var e = SipParameters.Enumerate(input, SipParameterSyntax.Uri);

        Assert.True(e.MoveNext());
        Assert.True(e.Current.Name.SequenceEqual("transport"u8));
        Assert.True(e.Current.Value.SequenceEqual("tcp"u8));
        Assert.Equal(11, e.Current.ValueOffset);

        Assert.True(e.MoveNext());
        Assert.True(e.Current.NameEquals("LR"u8));
        Assert.False(e.Current.HasValue);

        Assert.True(e.MoveNext());
        Assert.Equal("239.255.255.1", e.Current.GetValueString());

        Assert.True(e.MoveNext());
        Assert.Equal("a b", e.Current.GetValueString());

        Assert.False(e.MoveNext());
        Assert.Equal(SipSyntaxError.None, e.Error);
    }

    [Fact]
    public void Enumerate_HeaderParametersWithLwsAndQuotes_YieldsValues()
    {
        var input = " ; tag = 1928301774 ;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"; received=[2001:db8::9]; rport "u8;
        var count = 0;
        var e = SipParameters.Enumerate(input, SipParameterSyntax.Header);
        while (e.MoveNext())
        {
            count++;
            var p = e.Current;
            if (p.NameEquals("tag"u8))
            {
                Assert.True(p.Value.SequenceEqual("1928301774"u8));
            }
            else if (p.NameEquals("+sip.instance"u8))
            {
                Assert.True(p.IsQuoted);
                Assert.Equal("<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>", p.GetValueString());
            }
            else if (p.NameEquals("received"u8))
            {
                Assert.True(p.Value.SequenceEqual("[2001:db8::9]"u8));
            }
            else
            {
                Assert.True(p.NameEquals("rport"u8));
                Assert.False(p.HasValue);
            }
        }

        Assert.Equal(SipSyntaxError.None, e.Error);
        Assert.Equal(4, count);
    }

    [Fact]
    public void Enumerate_Empty_YieldsNothingWithoutError()
    {
        var e = SipParameters.Enumerate(default, SipParameterSyntax.Uri);
        Assert.False(e.MoveNext());
        Assert.Equal(SipSyntaxError.None, e.Error);
    }

    [Theory]
    [InlineData("tag=1", SipParameterSyntax.Header, SipSyntaxError.ExpectedSemicolon, 0)]
    [InlineData(";=1", SipParameterSyntax.Uri, SipSyntaxError.EmptyParameterName, 1)]
    [InlineData(";a=", SipParameterSyntax.Uri, SipSyntaxError.InvalidParameterValue, 3)]
    [InlineData(";a=%zz", SipParameterSyntax.Uri, SipSyntaxError.InvalidEscape, 3)]
    [InlineData(";a=b c", SipParameterSyntax.Uri, SipSyntaxError.InvalidParameterValue, 4)]
    [InlineData(";a=\"x", SipParameterSyntax.Header, SipSyntaxError.UnterminatedQuotedString, 3)]
    [InlineData(";a=b c", SipParameterSyntax.Header, SipSyntaxError.ExpectedSemicolon, 5)]
    [InlineData(";a b", SipParameterSyntax.Header, SipSyntaxError.ExpectedSemicolon, 3)]
    [InlineData(";a@b", SipParameterSyntax.Uri, SipSyntaxError.InvalidParameterName, 2)]
    public void TryValidate_Malformed_ReportsReasonAndOffset(string text, SipParameterSyntax syntax, SipSyntaxError error, int offset)
    {
        Assert.False(SipParameters.TryValidate(System.Text.Encoding.ASCII.GetBytes(text), syntax, out var rejection));
        Assert.Equal(error, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }

    [Fact]
    public void TryFind_CaseInsensitiveName_FindsFirst()
    {
        Assert.True(SipParameters.TryFind(";Branch=z9hG4bK1;branch=z9hG4bK2"u8, SipParameterSyntax.Header, "BRANCH"u8, out var p));
        Assert.True(p.Value.SequenceEqual("z9hG4bK1"u8));
        Assert.False(SipParameters.Contains(";a=1"u8, SipParameterSyntax.Header, "b"u8));
        Assert.Equal(2, SipParameters.Count(";a;b=2"u8, SipParameterSyntax.Uri));
    }

    [Fact]
    public void Enumerate_Foreach_Works()
    {
        var names = new List<string>();
        foreach (var p in SipParameters.Enumerate(";a;b;c"u8, SipParameterSyntax.Uri))
        {
            names.Add(System.Text.Encoding.ASCII.GetString(p.Name));
        }

        Assert.Equal(["a", "b", "c"], names);
    }
}
