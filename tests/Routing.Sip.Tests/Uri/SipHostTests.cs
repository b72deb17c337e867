using Routing.Sip.Uri;

namespace Routing.Sip.Tests.Uri;

public sealed class SipHostTests
{
    [Theory]
    [InlineData("example.com", SipHostKind.Hostname)]
    [InlineData("a-b.c-d.example", SipHostKind.Hostname)]
    [InlineData("192.0.2.1", SipHostKind.IPv4)]
    [InlineData("[2001:db8::9:1]", SipHostKind.IPv6)]
    [InlineData("255.255.255.255", SipHostKind.IPv4)]
    [InlineData("1.2.3", SipHostKind.None)]
    [InlineData("a_b.com", SipHostKind.None)]
    [InlineData("[2001:db8::9:1", SipHostKind.None)]
    [InlineData("", SipHostKind.None)]
    public void Classify_Host_ReturnsKind(string host, SipHostKind expected)
    {
        Assert.Equal(expected, SipHost.Classify(System.Text.Encoding.ASCII.GetBytes(host)));
    }

    [Fact]
    public void TryParseIPv6_Compressed_FillsBytes()
    {
        Span<byte> address = stackalloc byte[16];
        Assert.True(SipHost.TryParseIPv6("2001:db8::10:5070"u8, address));
        Assert.Equal(new System.Net.IPAddress(address), System.Net.IPAddress.Parse("2001:db8::10:5070"));
    }

    [Fact]
    public void HostEquals_HostnamesCaseInsensitive_IPv6ByValue()
    {
        Assert.True(SipHost.HostEquals("Example.COM"u8, "example.com"u8));
        Assert.True(SipHost.HostEquals("[::1]"u8, "[0:0:0:0:0:0:0:1]"u8));
        Assert.False(SipHost.HostEquals("[::1]"u8, "[::2]"u8));
    }
}
