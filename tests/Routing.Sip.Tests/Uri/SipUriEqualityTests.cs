using Routing.Sip.Uri;
using static Routing.Sip.Tests.Uri.UriTestHelpers;

namespace Routing.Sip.Tests.Uri;

public sealed class SipUriEqualityTests
{
    // RFC 3261 §19.1.4: "The URIs within each of the following sets are equivalent".
    [Theory]
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")]
    [InlineData("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x")]
    public void Equals_Rfc3261_19_1_4_EquivalentSets_AreEqual(string left, string right)
    {
        var a = Parse(left);
        var b = Parse(right);
        Assert.True(a.Equals(b));
        Assert.True(b.Equals(a));
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    // RFC 3261 §19.1.4: "The URIs within each of the following sets are not equivalent".
    [Theory]
    [InlineData("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting")]
    [InlineData("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4")]
    public void Equals_Rfc3261_19_1_4_NonEquivalentSets_AreNotEqual(string left, string right)
    {
        var a = Parse(left);
        var b = Parse(right);
        Assert.False(a.Equals(b));
        Assert.False(b.Equals(a));
        Assert.True(a != b);
    }

    [Theory]
    [InlineData("sip:alice@atlanta.com", "sips:alice@atlanta.com")]
    [InlineData("sip:alice:pw@atlanta.com", "sip:alice@atlanta.com")]
    [InlineData("sip:alice:pw@atlanta.com", "sip:alice:PW@atlanta.com")]
    [InlineData("sip:atlanta.com", "sip:alice@atlanta.com")]
    [InlineData("sip:a@h.com;user=phone", "sip:a@h.com")]
    [InlineData("sip:a@h.com;ttl=1", "sip:a@h.com")]
    [InlineData("sip:a@h.com;method=INVITE", "sip:a@h.com")]
    [InlineData("sip:a@h.com;maddr=239.1.1.1", "sip:a@h.com")]
    [InlineData("sip:a@h.com;security=on", "sip:a@h.com;security=off")]
    [InlineData("sip:a@h.com;lr", "sip:a@h.com;lr=on")]
    [InlineData("sip:a@h.com?x=1", "sip:a@h.com?x=1&y=2")]
    [InlineData("sip:a@h.com?x=1&x=1", "sip:a@h.com?x=1")]
    [InlineData("sip:a@h.com", "tel:+1234")]
    [InlineData("sip:a@h.com:5060", "sip:a@h.com:5061")]
    [InlineData("sip:a%3Bb@h.com", "sip:a;b@h.com")]
    [InlineData("sip:%2B1234@h.com", "sip:+1234@h.com")]
    [InlineData("sip:a@h.com;x=%3A", "sip:a@h.com;x=:")]
    public void Equals_Rfc3261_19_1_4_ComponentRules_NotEqual(string left, string right)
    {
        Assert.NotEqual(Parse(left), Parse(right));
        Assert.NotEqual(Parse(right), Parse(left));
    }

    [Theory]
    [InlineData("sip:a@h.com;%6C%72", "sip:a@h.com;lr")]
    [InlineData("sip:a%3bb@h.com", "sip:a%3Bb@h.com")]
    [InlineData("sip:%7Ebob@h.com", "sip:~bob@h.com")]
    [InlineData("sip:a@h.com;MADDR=239.1.1.1", "sip:a@h.com;maddr=239.1.1.1")]
    [InlineData("sip:a@h.com;lr", "sip:a@h.com")]
    [InlineData("sip:a@h.com?Subject=Hi", "sip:a@h.com?subject=hi")]
    [InlineData("sip:u@[2001:DB8::1]", "sip:u@[2001:db8:0:0::1]")]
    [InlineData("sip:u@[::ffff:192.0.2.1]", "sip:u@[::ffff:c000:201]")]
    public void Equals_Rfc3261_19_1_4_ComponentRules_Equal(string left, string right)
    {
        var a = Parse(left);
        var b = Parse(right);
        Assert.Equal(a, b);
        Assert.Equal(b, a);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Theory]
    [InlineData("tel:+1-201-555-0123", "tel:+12015550123", true)]
    [InlineData("tel:+1(201)555.0123", "TEL:+12015550123", true)]
    [InlineData("tel:7042;phone-context=example.com", "tel:7042;PHONE-CONTEXT=Example.COM", true)]
    [InlineData("tel:+12015550123;ext=1", "tel:+12015550123", false)]
    [InlineData("tel:+12015550123", "tel:+12015550124", false)]
    [InlineData("tel:+1201555012", "tel:+12015550123", false)]
    public void Equals_Rfc3966_4_TelComparison(string left, string right, bool expected)
    {
        var a = Parse(left);
        var b = Parse(right);
        Assert.Equal(expected, a.Equals(b));
        Assert.Equal(expected, b.Equals(a));
        if (expected)
        {
            Assert.Equal(a.GetHashCode(), b.GetHashCode());
        }
    }

    [Theory]
    [InlineData("urn:service:sos", "URN:service:sos", true)]
    [InlineData("urn:service:sos", "urn:service:SOS", false)]
    public void Equals_OpaqueUris_SchemeInsensitiveBodyExact(string left, string right, bool expected)
    {
        Assert.Equal(expected, Parse(left).Equals(Parse(right)));
    }

    [Fact]
    public void Equals_Object_UsesUriEquality()
    {
        object boxed = Parse("sip:alice@ATLANTA.com");
        Assert.True(Parse("sip:alice@atlanta.com").Equals(boxed));
        Assert.False(Parse("sip:alice@atlanta.com").Equals("sip:alice@atlanta.com"));
    }
}
