using Routing.Sip.Headers;
using static Routing.Sip.Tests.Headers.HeaderTestHelpers;

namespace Routing.Sip.Tests.Headers;

public sealed class ContactHeaderTests
{
    private static ContactHeader Parse(string value)
    {
        Assert.True(ContactHeader.TryParse(B(value), out var header, out var rejection), $"{value}: {rejection}");
        return header;
    }

    private static SipHeaderRejection Reject(string value)
    {
        Assert.False(ContactHeader.TryParse(B(value), out _, out var rejection), $"{value} parsed");
        return rejection;
    }

    [Fact]
    public void TryParse_Star_IsStar()
    {
        var header = Parse(" * ");
        Assert.True(header.IsStar);
        Assert.Equal(0, header.Count);
    }

    [Theory]
    [InlineData("*, <sip:a@b.com>", 0)]
    [InlineData("<sip:a@b.com>, *", 15)]
    [InlineData("*;expires=0", 0)]
    public void TryParse_StarWithOthers_RejectsInvalidStar(string value, int offset)
    {
        var rejection = Reject(value);
        Assert.Equal(SipHeaderError.InvalidStar, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }

    [Fact]
    public void TryParse_MobileRegistration_ExposesRegistrationParameters()
    {
        var header = Parse("<sip:alice@[2001:db8::5]:49152;transport=tls;ob;pn-provider=apns;pn-param=ABCD1234.com.example.voip;pn-prid=00fc13adff78512>"
            + ";expires=600;q=0.7;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\";reg-id=1;+sip.pnsreg;audio;video;mobility=\"mobile\";+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\"");
        Assert.Equal(1, header.Count);
        var c = header.Values.First;
        Assert.Equal(700, c.QValue);
        Assert.True(c.HasExpires);
        Assert.True(c.TryGetExpires(out var expires));
        Assert.Equal(600u, expires);
        Assert.True(c.HasInstance);
        Assert.Equal("<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>", S(c.Instance));
        Assert.Equal(1, c.RegId);
        Assert.Equal("apns", S(c.PushProvider));
        Assert.Equal("00fc13adff78512", S(c.PushPrid));
        Assert.Equal("ABCD1234.com.example.voip", S(c.PushParam));
        Assert.True(c.Uri.HasParameter("ob"u8));

        Assert.True(c.HasFeatureTag("sip.audio"u8));
        Assert.True(c.HasFeatureTag("video"u8));
        Assert.True(c.HasFeatureTag("+sip.video"u8));
        Assert.True(c.TryGetFeatureTag("sip.mobility"u8, out var mobility));
        Assert.Equal("mobile", S(mobility));
        Assert.True(c.TryGetFeatureTag("+g.3gpp.icsi-ref"u8, out var icsi));
        Assert.Equal("urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel", S(icsi));
        Assert.True(c.HasFeatureTag("+sip.pnsreg"u8));
        Assert.False(c.HasFeatureTag("sip.instance"u8));
        Assert.False(c.HasFeatureTag("expires"u8));

        var tags = new List<string>();
        foreach (var p in c.FeatureTags)
        {
            tags.Add(S(p.Name));
        }

        Assert.Equal(["+sip.pnsreg", "audio", "video", "mobility", "+g.3gpp.icsi-ref"], tags);
    }

    [Fact]
    public void FeatureTags_PlusSipVideoForm_FoundByBaseName()
    {
        var c = Ok<ContactValue>("<sip:a@b.com>;+sip.video;+sip.audio=\"TRUE\"");
        Assert.True(c.HasFeatureTag("video"u8));
        Assert.True(c.TryGetFeatureTag("sip.audio"u8, out var audio));
        Assert.Equal("TRUE", S(audio));
        Assert.False(c.HasFeatureTag("sip.mobility"u8));
    }

    [Fact]
    public void Rfc8599_PushParametersAsContactParameters_FoundAsFallback()
    {
        var c = Ok<ContactValue>("<sip:a@b.com>;pn-provider=fcm;pn-prid=token123");
        Assert.Equal("fcm", S(c.PushProvider));
        Assert.Equal("token123", S(c.PushPrid));
        Assert.True(c.PushParam.IsEmpty);
    }

    [Fact]
    public void TryParse_SeveralContacts_EnumeratesAll()
    {
        var header = Parse("<sip:alias1@host1.example.com>;q=1, \"Two, Second\" <sip:alias2@host2.example.com>;q=0.5 ,sip:alias3@host3.example.com");
        Assert.Equal(3, header.Count);
        var users = new List<string?>();
        var qs = new List<int?>();
        foreach (var c in header)
        {
            users.Add(c.Uri.GetUser());
            qs.Add(c.QValue);
        }

        Assert.Equal(["alias1", "alias2", "alias3"], users);
        Assert.Equal([1000, 500, null], qs);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0.", 0)]
    [InlineData("0.001", 1)]
    [InlineData("0.5", 500)]
    [InlineData("0.33", 330)]
    [InlineData("1", 1000)]
    [InlineData("1.000", 1000)]
    public void TryParseQValue_Rfc3261Qvalue_Thousandths(string text, short expected)
    {
        Assert.True(ContactValue.TryParseQValue(B(text), out var q));
        Assert.Equal(expected, q);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2")]
    [InlineData("0.1234")]
    [InlineData(".5")]
    [InlineData("0,5")]
    [InlineData("")]
    public void TryParseQValue_OutOfGrammar_Rejected(string text)
    {
        Assert.False(ContactValue.TryParseQValue(B(text), out _));
    }

    [Fact]
    public void TryParse_BadQ_RejectsInvalidQValue()
    {
        var rejection = Bad<ContactValue>("<sip:a@b.com>;q=1.5");
        Assert.Equal(SipHeaderError.InvalidQValue, rejection.Reason);
        Assert.Equal(16, rejection.Offset);
    }

    [Theory]
    [InlineData("<sip:a@b.com>;reg-id=0")]
    [InlineData("<sip:a@b.com>;reg-id=x")]
    [InlineData("<sip:a@b.com>;reg-id=99999999999")]
    public void TryParse_BadRegId_RejectsInvalidParameter(string value)
    {
        Assert.Equal(SipHeaderError.InvalidParameter, Bad<ContactValue>(value).Reason);
    }

    [Fact]
    public void Rfc4475_3_1_2_4_OverlargeContactExpires_ParsesButExpiresUnusable()
    {
        var c = Ok<ContactValue>("<sip:user@host129.example.com>\r\n  ;expires=280297596632815");
        Assert.True(c.HasExpires);
        Assert.False(c.TryGetExpires(out _));
    }

    [Fact]
    public void Rfc4475_3_1_1_3_EscapedContactUri_DecodesUserAndParameters()
    {
        var header = Parse("\r\n  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>");
        var c = header.Values.First;
        Assert.Equal("caller", c.Uri.GetUser());
        Assert.True(c.Uri.IsLooseRouting);
    }

    [Fact]
    public void Rfc4475_3_1_1_4_EscapedNullContacts_Accepted()
    {
        Assert.Equal("\0", Parse("<sip:%00@host5.example.com>").Values.First.Uri.GetUser());
        Assert.Equal("\0\0", Parse("<sip:%00%00@host5.example.com>").Values.First.Uri.GetUser());
    }

    [Fact]
    public void Rfc4475_3_1_2_1_ExtraneousParameterSeparators_Rejected()
    {
        var rejection = Reject("\"Joe\" <sip:joe@example.org>;;;;");
        Assert.Equal(SipHeaderError.InvalidParameter, rejection.Reason);
        Assert.Equal(28, rejection.Offset);
    }

    [Fact]
    public void Rfc4475_3_1_2_13_UnbracketedContactWithHeaders_Rejected()
    {
        Assert.Equal(SipHeaderError.UriRequiresAngleBrackets, Reject("sip:user@example.com?Route=%3Csip:sip.example.com%3E").Reason);
    }

    [Fact]
    public void TryParse_UnbalancedAngleInList_RejectsInvalidList()
    {
        var rejection = Reject("<sip:a@b.com>, <sip:c@d.com");
        Assert.Equal(SipHeaderError.InvalidList, rejection.Reason);
        Assert.Equal(15, rejection.Offset);
    }

    [Fact]
    public void TryParse_Empty_RejectsEmpty()
    {
        Assert.Equal(SipHeaderError.Empty, Reject(" ").Reason);
    }
}
