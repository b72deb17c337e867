using Routing.Sip.Uri;
using static Routing.Sip.Tests.Uri.UriTestHelpers;

namespace Routing.Sip.Tests.Uri;

public sealed class SipUriAddressOfRecordTests
{
    [Theory]
    [InlineData("sip:%61lice@AtLanTa.CoM;transport=TCP", "sip:alice@atlanta.com")]
    [InlineData("SIP:Bob@Biloxi.COM:5070;user=phone?subject=x", "sip:Bob@biloxi.com:5070")]
    [InlineData("sip:a%40b@x.example.com", "sip:a%40b@x.example.com")]
    [InlineData("sip:I%20have%20spaces@example.net", "sip:I%20have%20spaces@example.net")]
    [InlineData("sip:%7e%2a@example.net", "sip:~*@example.net")]
    [InlineData("sip:a%3bb@example.net", "sip:a%3Bb@example.net")]
    [InlineData("sip:a;b@example.net", "sip:a;b@example.net")]
    [InlineData("sips:carol@Chicago.com.", "sips:carol@chicago.com")]
    [InlineData("sip:u@[2001:DB8:0:0::1]", "sip:u@[2001:db8::1]")]
    [InlineData("sip:example.com", "sip:example.com")]
    [InlineData("tel:+1-201-555-0123;ext=1", "tel:+12015550123")]
    [InlineData("tel:7042;phone-context=Example.com", "tel:7042;phone-context=example.com")]
    [InlineData("URN:service:sos", "urn:service:sos")]
    public void ToAddressOfRecord_Rfc3261_10_3_CanonicalForm(string text, string expected)
    {
        Assert.Equal(expected, Parse(text).ToAddressOfRecord());
    }

    [Fact]
    public void ToAddressOfRecord_EquivalentRegistrations_GiveSameKey()
    {
        var a = Parse("sip:%61lice@atlanta.com;transport=TCP").ToAddressOfRecord();
        var b = Parse("sip:alice@AtLanTa.CoM;Transport=tcp").ToAddressOfRecord();
        Assert.Equal(a, b);
    }
}
