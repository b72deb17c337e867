using Routing.Sip.Headers;
using Routing.Sip.Uri;
using static Routing.Sip.Tests.Headers.HeaderTestHelpers;

namespace Routing.Sip.Tests.Headers;

public sealed class NameAddressTests
{
    [Fact]
    public void TryParse_QuotedDisplayNameAndParams_KeepsUriAndHeaderParamsApart()
    {
        var na = Ok<NameAddress>("\"Alice\" <sip:alice@atlanta.com;transport=tcp>;tag=1928301774;x=\"a b\"");
        Assert.True(na.IsNameAddr);
        Assert.True(na.IsDisplayNameQuoted);
        Assert.Equal("Alice", na.GetDisplayName());
        Assert.Equal("tcp", S(na.Uri.Transport));
        Assert.False(na.Uri.HasParameter("tag"u8));
        Assert.Equal("1928301774", S(na.Tag));
        Assert.True(na.HasTag);
        Assert.False(na.HasParameter("transport"u8));
        Assert.True(na.TryGetParameter("x"u8, out var x));
        Assert.Equal("a b", S(x));
    }

    [Fact]
    public void TryParse_TokenDisplayName_CollectsTokens()
    {
        var na = Ok<NameAddress>("A. G. Bell <sip:a.g.bell@example.com>");
        Assert.False(na.IsDisplayNameQuoted);
        Assert.Equal("A. G. Bell", na.GetDisplayName());
    }

    [Fact]
    public void TryParse_NoDisplayName_HasDisplayNameFalse()
    {
        var na = Ok<NameAddress>("<sip:bob@biloxi.com>");
        Assert.False(na.HasDisplayName);
        Assert.Null(na.GetDisplayName());
        Assert.True(na.ParametersText.IsEmpty);
    }

    [Fact]
    public void TryParse_EmptyQuotedDisplayName_IsPresentAndEmpty()
    {
        var na = Ok<NameAddress>("\"\" <sip:bob@biloxi.com>");
        Assert.True(na.HasDisplayName);
        Assert.Equal(string.Empty, na.GetDisplayName());
    }

    [Fact]
    public void Rfc4475_3_1_1_1_ShortTortuousInvite_ToFromAndContact()
    {
        var to = Ok<NameAddress>("\r\n sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
        Assert.False(to.IsNameAddr);
        Assert.Equal("vivekg", to.Uri.GetUser());
        Assert.Equal("1918181833n", S(to.Tag));

        var from = Ok<NameAddress>("\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8");
        Assert.Equal("J Rosenberg \\\"", from.GetDisplayName());
        Assert.Equal("98asjd8", S(from.Tag));

        var contact = Ok<NameAddress>("\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n      newvalue ;\r\n  secondparam ; q = 0.33");
        Assert.Equal("Quoted string \"\"", contact.GetDisplayName());
        Assert.True(contact.TryGetParameter("newparam"u8, out var np));
        Assert.Equal("newvalue", S(np));
        Assert.True(contact.HasParameter("secondparam"u8));
        Assert.True(contact.TryGetParameter("q"u8, out var q));
        Assert.Equal("0.33", S(q));
    }

    [Fact]
    public void Rfc4475_3_1_1_2_WideRangeOfValidCharacters_FromAndTo()
    {
        var from = Ok<NameAddress>("token1~` token2'+_ token3*%!.- <sip:mundane@example.com> ;fromParam''~+*_!.-%=\"\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439\";tag=_token~1'+`*%!-.");
        Assert.Equal("token1~` token2'+_ token3*%!.-", from.GetDisplayName());
        Assert.Equal("_token~1'+`*%!-.", S(from.Tag));
        Assert.True(from.TryGetParameter("fromParam''~+*_!.-%"u8, out var p));
        Assert.Equal("\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439", S(p));

        // To: "BEL:\<BEL> NUL:\<NUL> DEL:\<DEL>" - quoted-pairs may escape control characters.
        var to = Ok<NameAddress>("\"BEL:\\\u0007 NUL:\\\0 DEL:\\\u007F\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>");
        Assert.Equal("BEL:\u0007 NUL:\0 DEL:\u007F", to.GetDisplayName());
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", S(to.Uri.User));
    }

    [Fact]
    public void Rfc4475_3_1_1_5_PercentInDisplayName_IsText()
    {
        var to = Ok<NameAddress>("\"%Z%45\" <sip:resource@example.com>");
        Assert.Equal("%Z%45", to.GetDisplayName());
    }

    [Fact]
    public void Rfc4475_3_1_1_6_NoLwsBetweenDisplayNameAndAngle_Accepted()
    {
        var from = Ok<NameAddress>("caller<sip:caller@example.com>;tag=323");
        Assert.Equal("caller", from.GetDisplayName());
        Assert.Equal("323", S(from.Tag));
    }

    [Fact]
    public void Rfc4475_3_1_1_7_LongValues_Accepted()
    {
        var to = Ok<NameAddress>("\"I have a user name of extremeextremeextremeextremeextremeextremeextremeextremeextremeextreme proportion\"<sip:user@example.com:6000;unknownparam1=verylonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglongvalue;longparamnamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamename=shortvalue;verylonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglongParameterNameWithNoValue>");
        Assert.Equal(6000, to.Uri.Port);
        Assert.Equal(3, Routing.Sip.Syntax.SipParameters.Count(to.Uri.ParametersText, Routing.Sip.Syntax.SipParameterSyntax.Uri));
    }

    [Fact]
    public void Rfc4475_3_1_2_6_UnterminatedQuotedDisplayName_Rejected()
    {
        var rejection = Bad<NameAddress>("\"Mr. J. User <sip:j.user@example.com>");
        Assert.Equal(SipHeaderError.UnterminatedQuotedString, rejection.Reason);
        Assert.Equal(0, rejection.Offset);
    }

    [Fact]
    public void Rfc4475_3_1_2_13_UnbracketedUriWithHeaders_Rejected()
    {
        var rejection = Bad<NameAddress>("sip:user@example.com?Route=%3Csip:sip.example.com%3E");
        Assert.Equal(SipHeaderError.UriRequiresAngleBrackets, rejection.Reason);
        Assert.Equal(20, rejection.Offset);
    }

    [Fact]
    public void Rfc4475_3_1_2_14_SpacesWithinAddrSpec_Rejected()
    {
        Ok<NameAddress>("\"Bell, Alexander\" <sip:a.g.bell@example.com>;tag=433423");
        var rejection = Bad<NameAddress>("\"Watson, Thomas\" < sip:t.watson@example.org >");
        Assert.Equal(SipHeaderError.InvalidUri, rejection.Reason);
        Assert.Equal(SipUriError.InvalidScheme, rejection.UriError);
        Assert.Equal(18, rejection.Offset);
    }

    [Theory]
    [InlineData("Bell, Alexander <sip:a.g.bell@example.com>;tag=43", 4)]
    [InlineData("Watson, Thomas <sip:t.watson@example.org>", 6)]
    public void Rfc4475_3_1_2_15_NonTokenCharactersInDisplayName_Rejected(string value, int offset)
    {
        var rejection = Bad<NameAddress>(value);
        Assert.Equal(SipHeaderError.InvalidDisplayName, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }

    [Fact]
    public void Rfc4475_3_3_4_UnknownSchemesInHeaders_Accepted()
    {
        Assert.Equal(SipUriScheme.Other, Ok<NameAddress>("isbn:2983792873").Uri.Scheme);
        var from = Ok<NameAddress>("<http://www.example.com>;tag=3234233");
        Assert.Equal("http://www.example.com", from.Uri.ToString());
        Assert.Equal("3234233", S(from.Tag));
        Assert.Equal("name:John_Smith", Ok<NameAddress>("<name:John_Smith>").Uri.ToString());
    }

    [Fact]
    public void Rfc4475_3_3_12_ContactParameterInAddrSpec_IsHeaderParameter()
    {
        var contact = Ok<NameAddress>("sip:+19725552222@gw1.example.net;unknownparam");
        Assert.True(contact.HasParameter("unknownparam"u8));
        Assert.False(contact.Uri.HasParameter("unknownparam"u8));
        Assert.True(contact.Uri.ParametersText.IsEmpty);
    }

    [Fact]
    public void Rfc4475_3_3_13_UriParameterInNameAddr_IsUriParameter()
    {
        var contact = Ok<NameAddress>("<sip:+19725552222@gw1.example.net;unknownparam>");
        Assert.True(contact.Uri.HasParameter("unknownparam"u8));
        Assert.False(contact.HasParameter("unknownparam"u8));
    }

    [Fact]
    public void Rfc4475_3_3_14_EscapedHeaderInContactUri_Accepted()
    {
        var contact = Ok<NameAddress>("<sip:user@example.com?Route=%3Csip:sip.example.com%3E>");
        Assert.True(contact.Uri.HasHeaders);
        Assert.True(contact.ParametersText.IsEmpty);
    }

    [Fact]
    public void Rfc4475_3_4_1_Rfc2543AddrSpecWithUserParam_ParamGoesToHeader()
    {
        var to = Ok<NameAddress>("sip:+16505552222@ss1.example.net;user=phone");
        Assert.True(to.HasParameter("user"u8));
        Assert.True(to.Uri.UserParameter.IsEmpty);
    }

    [Theory]
    [InlineData("", SipHeaderError.Empty, 0)]
    [InlineData("   ", SipHeaderError.Empty, 0)]
    [InlineData("\"Alice\" sip:a@b.com", SipHeaderError.MissingAngleBracket, 8)]
    [InlineData("<sip:a@b.com", SipHeaderError.UnterminatedAngleBracket, 0)]
    [InlineData("Alice", SipHeaderError.InvalidUri, 0)]
    [InlineData("<sip:a@b.com> x", SipHeaderError.InvalidParameter, 14)]
    [InlineData("<sip:a@b.com>;tag", SipHeaderError.None, -1)]
    [InlineData("<sip:a@b.com>;=1", SipHeaderError.InvalidParameter, 14)]
    [InlineData("<sip:a@b.com>;x=\"unterminated", SipHeaderError.UnterminatedQuotedString, 16)]
    [InlineData("<sip:a@b.com:99999>", SipHeaderError.InvalidUri, 13)]
    [InlineData("sip:a@b.com,sip:c@d.com", SipHeaderError.UriRequiresAngleBrackets, 11)]
    [InlineData("Joe \"x\" <sip:a@b.com>", SipHeaderError.InvalidDisplayName, 4)]
    [InlineData("\"a\\\rb\" <sip:a@b.com>", SipHeaderError.InvalidQuotedString, 2)]
    public void TryParse_Malformed_ReportsReasonAndOffset(string value, SipHeaderError reason, int offset)
    {
        if (reason == SipHeaderError.None)
        {
            Ok<NameAddress>(value);
            return;
        }

        var rejection = Bad<NameAddress>(value);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }

    [Fact]
    public void TryParse_RequireNameAddr_RejectsAddrSpec()
    {
        Assert.False(NameAddress.TryParse(B("sip:a@b.com"), requireNameAddr: true, out _, out var rejection));
        Assert.Equal(SipHeaderError.NameAddrRequired, rejection.Reason);
    }

    [Fact]
    public void Parameters_Enumerate_HeaderParamsOnly()
    {
        var na = Ok<NameAddress>("<sip:a@b.com;lr>;a=1;b");
        var names = new List<string>();
        foreach (var p in na.Parameters)
        {
            names.Add(S(p.Name));
        }

        Assert.Equal(["a", "b"], names);
    }
}
