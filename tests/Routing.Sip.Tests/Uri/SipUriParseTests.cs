using Routing.Sip.Uri;
using static Routing.Sip.Tests.Uri.UriTestHelpers;

namespace Routing.Sip.Tests.Uri;

public sealed class SipUriParseTests
{
    [Fact]
    public void TryParse_SimpleSipUri_ExposesComponents()
    {
        var uri = Parse("sip:alice@atlanta.com");
        Assert.Equal(SipUriScheme.Sip, uri.Scheme);
        Assert.True(uri.HasUser);
        Assert.Equal("alice", Str(uri.User));
        Assert.Equal("atlanta.com", Str(uri.Host));
        Assert.Equal(SipHostKind.Hostname, uri.HostKind);
        Assert.Null(uri.Port);
        Assert.False(uri.HasPassword);
        Assert.True(uri.ParametersText.IsEmpty);
        Assert.False(uri.HasHeaders);
    }

    [Fact]
    public void TryParse_AllComponents_ExposesEach()
    {
        var uri = Parse("sips:alice:secretword@atlanta.com:5061;transport=tcp;lr;maddr=239.255.255.1;ttl=15;user=phone;method=REGISTER?subject=project%20x&priority=urgent");
        Assert.Equal(SipUriScheme.Sips, uri.Scheme);
        Assert.Equal("secretword", Str(uri.Password));
        Assert.Equal(5061, uri.Port);
        Assert.Equal("tcp", Str(uri.Transport));
        Assert.True(uri.IsLooseRouting);
        Assert.Equal("239.255.255.1", Str(uri.Maddr));
        Assert.Equal(15, uri.Ttl);
        Assert.Equal("phone", Str(uri.UserParameter));
        Assert.Equal("REGISTER", Str(uri.Method));
        Assert.True(uri.HasHeaders);

        var names = new List<string>();
        var values = new List<string>();
        foreach (var h in uri.Headers)
        {
            names.Add(Str(h.Name));
            values.Add(h.GetValueString());
        }

        Assert.Equal(["subject", "priority"], names);
        Assert.Equal(["project x", "urgent"], values);
    }

    [Fact]
    public void TryParse_SchemeCaseInsensitive_RecognisesSip()
    {
        var uri = Parse("SIP:bob@biloxi.com");
        Assert.Equal(SipUriScheme.Sip, uri.Scheme);
        Assert.Equal("SIP", Str(uri.SchemeName));
    }

    [Fact]
    public void TryParse_HostOnlyWithIPv4AndPort_Parses()
    {
        var uri = Parse("sip:192.0.2.4:5080");
        Assert.False(uri.HasUser);
        Assert.Equal(SipHostKind.IPv4, uri.HostKind);
        Assert.Equal(5080, uri.Port);
        Assert.Null(uri.GetUser());
    }

    [Fact]
    public void TryParse_TrailingDotHostname_Accepted()
    {
        Assert.Equal(SipHostKind.Hostname, Parse("sip:example.com.").HostKind);
    }

    [Fact]
    public void TryParse_TtlOutOfRange_TtlIsNull()
    {
        Assert.Null(Parse("sip:h.example.com;ttl=300").Ttl);
    }

    [Fact]
    public void Rfc4475_3_1_1_1_ShortTortuousInvite_RequestUriAndRouteUri()
    {
        var requestUri = Parse("sip:vivekg@chair-dnrc.example.com;unknownparam");
        Assert.True(requestUri.HasParameter("unknownparam"u8));
        Assert.True(requestUri.TryGetParameter("unknownparam"u8, out var value));
        Assert.True(value.IsEmpty);

        var route = Parse("sip:services.example.com;lr;unknownwith=value;unknown-no-value");
        Assert.True(route.IsLooseRouting);
        Assert.True(route.TryGetParameter("unknownwith"u8, out var v));
        Assert.Equal("value", Str(v));
        Assert.True(route.HasParameter("unknown-no-value"u8));
    }

    [Fact]
    public void Rfc4475_3_1_1_2_WideRangeOfValidCharacters_UserAndPassword()
    {
        var uri = Parse("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com");
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", Str(uri.User));
        Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", Str(uri.Password));
        Assert.Equal("example.com", Str(uri.Host));
        Assert.True(uri.ParametersText.IsEmpty);
        Assert.False(uri.HasHeaders);

        var to = Parse("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com");
        Assert.False(to.HasPassword);
    }

    [Fact]
    public void Rfc4475_3_1_1_3_ValidUseOfEscaping_DecodesOnceAndMatchesUnescaped()
    {
        var requestUri = Parse("sip:sips%3Auser%40example.com@example.net");
        Assert.Equal(SipUriScheme.Sip, requestUri.Scheme);
        Assert.Equal("sips:user@example.com", requestUri.GetUser());
        Assert.Equal("example.net", Str(requestUri.Host));

        Assert.Equal(Parse("sip:user@example.com"), Parse("sip:%75se%72@example.com"));
        Assert.Equal("I have spaces", Parse("sip:I%20have%20spaces@example.net").GetUser());

        var contact = Parse("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
        Assert.Equal("caller", contact.GetUser());
        Assert.True(contact.IsLooseRouting);
        Assert.True(contact.TryGetParameter("name"u8, out var value));
        Assert.Equal("value%41", Routing.Sip.Syntax.PercentEncoding.DecodeToString(value));
    }

    [Fact]
    public void Rfc4475_3_1_1_4_EscapedNullsInUris_AcceptedAndDistinct()
    {
        var to = Parse("sip:null-%00-null@example.com");
        Assert.Equal("null-\0-null", to.GetUser());
        Assert.NotEqual(Parse("sip:%00@host5.example.com"), Parse("sip:%00%00@host5.example.com"));
    }

    [Fact]
    public void Rfc4475_3_1_1_9_SemicolonSeparatedParametersInUserPart_AreUser()
    {
        var uri = Parse("sip:user;par=u%40example.net@example.com");
        Assert.Equal("user;par=u%40example.net", Str(uri.User));
        Assert.Equal("user;par=u@example.net", uri.GetUser());
        Assert.Equal("example.com", Str(uri.Host));
        Assert.True(uri.ParametersText.IsEmpty);
    }

    [Fact]
    public void Rfc4475_3_1_2_7_AngleBracketsAroundRequestUri_Rejected()
    {
        var rejection = Reject("<sip:user@example.com>");
        Assert.Equal(SipUriError.InvalidScheme, rejection.Reason);
        Assert.Equal(0, rejection.Offset);
    }

    [Theory]
    [InlineData("sip:user@example.com;")]
    [InlineData("sip:user@example.com; lr")]
    public void Rfc4475_3_1_2_8_EmbeddedLwsInRequestUri_Rejected(string text)
    {
        Assert.Equal(SipUriError.InvalidParameter, Reject(text).Reason);
    }

    [Fact]
    public void Rfc4475_3_1_2_11_EscapedHeadersInRequestUri_ParsedButNotAllowedThere()
    {
        var uri = Parse("sip:user@example.com?Route=%3Csip:example.com%3E");
        Assert.Equal(SipUriError.HeadersNotAllowed, uri.CheckUsage(SipUriUsage.RequestUri));
        var e = uri.Headers;
        Assert.True(e.MoveNext());
        Assert.Equal("Route", Str(e.Current.Name));
        Assert.Equal("<sip:example.com>", e.Current.GetValueString());
    }

    [Theory]
    [InlineData("nobodyKnowsThisScheme:totallyopaquecontent", "totallyopaquecontent")]
    [InlineData("soap.beep://192.0.2.103:3002", "//192.0.2.103:3002")]
    [InlineData("isbn:2983792873", "2983792873")]
    [InlineData("http://www.example.com", "//www.example.com")]
    [InlineData("name:John_Smith", "John_Smith")]
    public void Rfc4475_3_3_2_To_3_3_4_UnknownSchemes_PreservedOpaque(string text, string body)
    {
        var uri = Parse(text);
        Assert.Equal(SipUriScheme.Other, uri.Scheme);
        Assert.Equal(body, Str(uri.Body));
        Assert.Equal(text, uri.ToString());
        Assert.Equal(SipUriError.None, uri.CheckUsage(SipUriUsage.RequestUri));
    }

    [Fact]
    public void Rfc4475_3_3_13_RegisterWithUriParameter_ParameterBelongsToUri()
    {
        var uri = Parse("sip:+19725552222@gw1.example.net;unknownparam");
        Assert.Equal("+19725552222", Str(uri.User));
        Assert.True(uri.HasParameter("unknownparam"u8));
    }

    [Fact]
    public void Rfc4475_3_3_14_RegisterWithEscapedHeaderInContactUri_AllowedInRegisterContact()
    {
        var uri = Parse("sip:user@example.com?Route=%3Csip:sip.example.com%3E");
        Assert.Equal(SipUriError.None, uri.CheckUsage(SipUriUsage.RegisterOrRedirectContact));
        var e = uri.Headers;
        Assert.True(e.MoveNext());
        Assert.Equal("<sip:sip.example.com>", e.Current.GetValueString());
    }

    [Fact]
    public void Rfc5118_4_1_ValidIPv6Reference_Parses()
    {
        var uri = Parse("sip:[2001:db8::10]");
        Assert.Equal(SipHostKind.IPv6, uri.HostKind);
        Assert.Equal("[2001:db8::10]", Str(uri.Host));
        Assert.Equal("2001:db8::10", uri.GetHost());
        Assert.Null(uri.Port);
        Assert.Equal(SipHostKind.IPv6, Parse("sip:caller@[2001:db8::1]").HostKind);
    }

    [Fact]
    public void Rfc5118_4_2_UnbracketedIPv6InRequestUri_Rejected()
    {
        // "2001" is taken as the host (a top label must start with ALPHA) and rejected before ":db8" is read as a port.
        var rejection = Reject("sip:2001:db8::10");
        Assert.Equal(SipUriError.InvalidHost, rejection.Reason);
        Assert.Equal(4, rejection.Offset);
    }

    [Theory]
    [InlineData("sip:2001:db8::10:5070", SipUriError.InvalidHost)]
    [InlineData("sip:user@fe80:db8::10", SipUriError.InvalidPort)]
    public void TryParse_UnbracketedIPv6_Rejected(string text, SipUriError reason)
    {
        Assert.Equal(reason, Reject(text).Reason);
    }

    [Fact]
    public void Rfc5118_4_3_PortAmbiguous_EverythingInBracketsIsTheAddress()
    {
        var uri = Parse("sip:[2001:db8::10:5070]");
        Assert.Null(uri.Port);
        Assert.Equal("[2001:db8::10:5070]", Str(uri.Host));
    }

    [Fact]
    public void Rfc5118_4_4_PortUnambiguous_PortFollowsBracket()
    {
        var uri = Parse("sip:[2001:db8::10]:5070");
        Assert.Equal("[2001:db8::10]", Str(uri.Host));
        Assert.Equal(5070, uri.Port);
        Assert.NotEqual(Parse("sip:[2001:db8::10:5070]"), uri);
    }

    [Fact]
    public void Rfc5118_4_9_IPv4MappedIPv6Address_Parses()
    {
        var uri = Parse("sip:ted@[::ffff:192.0.2.2]");
        Assert.Equal(SipHostKind.IPv6, uri.HostKind);
        Assert.Equal("ted", uri.GetUser());
    }

    [Fact]
    public void Rfc5118_4_10_Rfc3261AbnfBug_ThreeColonsRejectedTwoColonsAccepted()
    {
        // RFC 5954 §4.1 replaced the RFC 3261 IPv6address rule, under which only the three-colon form was valid.
        Assert.Equal(SipUriError.InvalidIPv6Reference, Reject("sip:user@[2001:db8:::192.0.2.1]").Reason);
        Assert.Equal(SipHostKind.IPv6, Parse("sip:user@[2001:db8::192.0.2.1]").HostKind);
    }

    [Theory]
    [InlineData("sip:[2001:db8::192.0.2.1]")]
    [InlineData("sip:[::192.0.2.1]")]
    [InlineData("sip:[::1]")]
    [InlineData("sip:[::]")]
    [InlineData("sip:[1:2:3:4:5:6:7:8]")]
    [InlineData("sip:[1:2:3:4:5:6:192.0.2.1]")]
    public void Rfc5954_4_1_CorrectedIPv6Grammar_Accepted(string text)
    {
        Assert.Equal(SipHostKind.IPv6, Parse(text).HostKind);
    }

    [Theory]
    [InlineData("sip:[1:2:3:4:5:6:7:8:9]")]
    [InlineData("sip:[1::2::3]")]
    [InlineData("sip:[:1]")]
    [InlineData("sip:[1:]")]
    [InlineData("sip:[12345::1]")]
    [InlineData("sip:[1::2:3:4:5:6:7:8]")]
    [InlineData("sip:[::256.0.0.1]")]
    [InlineData("sip:[2001:db8::10")]
    [InlineData("sip:[]")]
    [InlineData("sip:[g::1]")]
    public void TryParse_MalformedIPv6Reference_RejectsInvalidIPv6Reference(string text)
    {
        Assert.Equal(SipUriError.InvalidIPv6Reference, Reject(text).Reason);
    }

    [Theory]
    [InlineData("", SipUriError.Empty, 0)]
    [InlineData("sip", SipUriError.MissingScheme, 3)]
    [InlineData("sip:", SipUriError.EmptyBody, 4)]
    [InlineData("1sip:x", SipUriError.InvalidScheme, 0)]
    [InlineData("si_p:x", SipUriError.InvalidScheme, 2)]
    [InlineData("sip:@host", SipUriError.InvalidUser, 4)]
    [InlineData("sip:us er@host", SipUriError.InvalidUser, 6)]
    [InlineData("sip:u%4@host", SipUriError.InvalidEscape, 5)]
    [InlineData("sip:u:p w@host", SipUriError.InvalidPassword, 7)]
    [InlineData("sip:user@", SipUriError.MissingHost, 9)]
    [InlineData("sip:user@host:", SipUriError.InvalidPort, 14)]
    [InlineData("sip:user@host:65536", SipUriError.InvalidPort, 14)]
    [InlineData("sip:user@host:50a", SipUriError.InvalidPort, 16)]
    [InlineData("sip:user@ho_st", SipUriError.InvalidHost, 11)]
    [InlineData("sip:user@-host.com", SipUriError.InvalidHost, 9)]
    [InlineData("sip:user@host.123", SipUriError.InvalidHost, 9)]
    [InlineData("sip:user@a..b", SipUriError.InvalidHost, 9)]
    [InlineData("sip:1.2.3.256", SipUriError.InvalidHost, 4)]
    [InlineData("sip:user@host;a=%zz", SipUriError.InvalidEscape, 16)]
    [InlineData("sip:user@host;a=b c", SipUriError.InvalidParameter, 17)]
    [InlineData("sip:user@host?x", SipUriError.InvalidHeaders, 15)]
    [InlineData("sip:user@host?=v", SipUriError.InvalidHeaders, 14)]
    [InlineData("sip:user@host?a=b&", SipUriError.InvalidHeaders, 18)]
    [InlineData("sip:user@host?a=%g0", SipUriError.InvalidEscape, 16)]
    [InlineData("sip:user@host>", SipUriError.InvalidHost, 13)]
    [InlineData("sip:user@example.com@example.net", SipUriError.InvalidHost, 20)]
    [InlineData("http:a b", SipUriError.InvalidCharacter, 6)]
    [InlineData("x:<y>", SipUriError.InvalidCharacter, 2)]
    [InlineData("tel:+", SipUriError.InvalidTelephoneNumber, 4)]
    [InlineData("tel:+1-xyz", SipUriError.InvalidTelephoneNumber, 4)]
    [InlineData("tel:+1;", SipUriError.InvalidParameter, 7)]
    public void TryParse_Malformed_ReportsReasonAndOffset(string text, SipUriError reason, int offset)
    {
        var rejection = Reject(text);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }

    [Fact]
    public void TryParse_TooLong_Rejected()
    {
        var text = "sip:" + new string('a', 70000) + "@example.com";
        Assert.Equal(SipUriError.TooLong, Reject(text).Reason);
    }

    [Fact]
    public void TryParse_Rfc3966GlobalTelUri_ExposesNumberAndParameters()
    {
        var uri = Parse("tel:+1-201-555-0123;ext=1234");
        Assert.Equal(SipUriScheme.Tel, uri.Scheme);
        Assert.True(uri.IsGlobalNumber);
        Assert.Equal("+1-201-555-0123", Str(uri.User));
        Assert.True(uri.TryGetParameter("ext"u8, out var ext));
        Assert.Equal("1234", Str(ext));
    }

    [Fact]
    public void TryParse_Rfc3966LocalTelUri_NotGlobal()
    {
        var uri = Parse("tel:7042;phone-context=example.com");
        Assert.False(uri.IsGlobalNumber);
        Assert.Equal("7042", uri.GetUser());
    }

    [Fact]
    public void CopyTo_And_ToString_ReturnReceivedBytes()
    {
        const string Text = "sip:%61lice@AtLanTa.CoM;Transport=TCP";
        var uri = Parse(Text);
        Assert.Equal(Text, uri.ToString());
        var buffer = new byte[Text.Length];
        Assert.Equal(Text.Length, uri.CopyTo(buffer));
        Assert.Equal(-1, uri.CopyTo(new byte[3]));
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        uri.WriteTo(writer);
        Assert.Equal(Text, Str(writer.WrittenSpan));
    }

    [Fact]
    public void Default_IsEmpty()
    {
        SipUri uri = default;
        Assert.True(uri.IsEmpty);
        Assert.Equal(SipUriScheme.None, uri.Scheme);
    }

    [Fact]
    public void Parse_InvalidText_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => SipUri.Parse("sip:"));
    }

    [Fact]
    public void TryDecodeUser_IntoCallerBuffer_DecodesOnce()
    {
        var uri = Parse("sip:%2541@h.example.com");
        Span<byte> buffer = stackalloc byte[8];
        Assert.True(uri.TryDecodeUser(buffer, out var written));
        Assert.Equal("%41", Str(buffer[..written]));
    }

    [Theory]
    [InlineData("sip:a@h.example.com:5060", SipUriUsage.FromTo, SipUriError.PortNotAllowed)]
    [InlineData("sip:a@h.example.com;transport=tcp", SipUriUsage.FromTo, SipUriError.ParameterNotAllowed)]
    [InlineData("sip:a@h.example.com;user=phone", SipUriUsage.FromTo, SipUriError.None)]
    [InlineData("sip:a@h.example.com;method=INVITE", SipUriUsage.RequestUri, SipUriError.ParameterNotAllowed)]
    [InlineData("sip:a@h.example.com;method=INVITE", SipUriUsage.External, SipUriError.None)]
    [InlineData("sip:a@h.example.com;lr", SipUriUsage.RegisterOrRedirectContact, SipUriError.ParameterNotAllowed)]
    [InlineData("sip:a@h.example.com;lr", SipUriUsage.DialogContactOrRoute, SipUriError.None)]
    [InlineData("sip:a@h.example.com;ttl=1", SipUriUsage.DialogContactOrRoute, SipUriError.ParameterNotAllowed)]
    [InlineData("sip:a@h.example.com?x=y", SipUriUsage.DialogContactOrRoute, SipUriError.HeadersNotAllowed)]
    public void CheckUsage_Rfc3261_19_1_1_Table1_EnforcesAllowedComponents(string text, SipUriUsage usage, SipUriError expected)
    {
        Assert.Equal(expected, Parse(text).CheckUsage(usage));
    }

    [Theory]
    [InlineData("sip:alice@atlanta.com;lr", true, SipUriScheme.Sip, SipUriError.None)]
    [InlineData("tel:+1234", true, SipUriScheme.Tel, SipUriError.None)]
    [InlineData("urn:service:sos", true, SipUriScheme.Other, SipUriError.None)]
    [InlineData("sip:user@example.com; lr", false, SipUriScheme.None, SipUriError.InvalidParameter)]
    public void TryValidate_Span_SameVerdictAsTryParse(string text, bool valid, SipUriScheme scheme, SipUriError reason)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        Assert.Equal(valid, SipUri.TryValidate(bytes, out var actualScheme, out var rejection));
        Assert.Equal(scheme, actualScheme);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(valid, SipUri.TryParse(bytes, out _));
    }
}
