using Routing.Sip.Headers;
using Routing.Sip.Uri;
using static Routing.Sip.Tests.Headers.HeaderTestHelpers;

namespace Routing.Sip.Tests.Headers;

public sealed class ViaHeaderTests
{
    [Fact]
    public void TryParse_TypicalVia_ExposesAllParts()
    {
        var via = Ok<ViaHeader>("SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5060;maddr=239.255.255.1;ttl=16");
        Assert.Equal("SIP", S(via.ProtocolName));
        Assert.Equal("2.0", S(via.ProtocolVersion));
        Assert.True(via.IsSip20);
        Assert.Equal("UDP", S(via.Transport));
        Assert.True(via.IsTransport("udp"u8));
        Assert.Equal("pc33.atlanta.com", S(via.Host));
        Assert.Equal(SipHostKind.Hostname, via.HostKind);
        Assert.Equal(5066, via.Port);
        Assert.Equal("pc33.atlanta.com:5066", S(via.SentBy));
        Assert.Equal("z9hG4bK776asdhds", S(via.Branch));
        Assert.True(via.HasBranch);
        Assert.True(via.HasMagicCookie);
        Assert.Equal("192.0.2.1", S(via.Received));
        Assert.True(via.HasReceived);
        Assert.True(via.HasRport);
        Assert.Equal(5060, via.Rport);
        Assert.Equal("239.255.255.1", S(via.Maddr));
        Assert.Equal(16, via.Ttl);
    }

    [Fact]
    public void TryParse_EmptyRport_PresentWithoutValue()
    {
        var via = Ok<ViaHeader>("SIP/2.0/TCP client.example.com;rport;branch=z9hG4bKa");
        Assert.True(via.HasRport);
        Assert.Null(via.Rport);
        Assert.Null(via.Port);
        Assert.False(via.HasReceived);
    }

    [Fact]
    public void Rfc4475_3_1_1_1_FoldedViaWithLwsAroundSlashes_Accepted()
    {
        var via = Ok<ViaHeader>("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw");
        Assert.True(via.IsSip20);
        Assert.Equal("UDP", S(via.Transport));
        Assert.Equal("192.0.2.2", S(via.Host));
        Assert.Equal(SipHostKind.IPv4, via.HostKind);
        Assert.False(via.HasMagicCookie);

        var list = OkList<ViaHeader>("  SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ,\r\n SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239");
        Assert.Equal(2, list.Count);
        var branches = new List<string>();
        var transports = new List<string>();
        foreach (var v in list)
        {
            branches.Add(S(v.Branch));
            transports.Add(S(v.Transport));
        }

        Assert.Equal(["z9hG4bK9ikj8", "z9hG4bK30239"], branches);
        Assert.Equal(["TCP", "UDP"], transports);
    }

    [Theory]
    [InlineData("SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw", "UDP")]
    [InlineData("SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf", "SCTP")]
    [InlineData("SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj", "TLS")]
    [InlineData("SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en", "UNKNOWN")]
    [InlineData("SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee", "TCP")]
    public void Rfc4475_3_1_1_10_VariedAndUnknownTransports_Accepted(string value, string transport)
    {
        Assert.Equal(transport, S(Ok<ViaHeader>(value).Transport));
    }

    [Fact]
    public void Rfc4475_3_1_1_5_PercentInBranch_IsPlainToken()
    {
        Assert.Equal("z9hG4bK209%fzsnel234", S(Ok<ViaHeader>("SIP/2.0/TCP host.example.com;branch=z9hG4bK209%fzsnel234").Branch));
    }

    [Fact]
    public void Rfc4475_3_1_2_1_ExtraneousSeparators_Rejected()
    {
        var rejection = BadList<ViaHeader>("SIP/2.0/UDP 192.0.2.15;;,;,,");
        Assert.Equal(SipHeaderError.InvalidParameter, rejection.Reason);
        Assert.Equal(23, rejection.Offset);
    }

    [Fact]
    public void Rfc4475_3_1_2_16_UnknownProtocolVersion_ParsedAndFlagged()
    {
        var via = Ok<ViaHeader>("SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw");
        Assert.False(via.IsSip20);
        Assert.Equal("7.0", S(via.ProtocolVersion));
    }

    [Fact]
    public void Rfc4475_3_2_1_BareMagicCookieBranch_NotAnRfc3261Branch()
    {
        var via = Ok<ViaHeader>("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK");
        Assert.True(via.HasBranch);
        Assert.False(via.HasMagicCookie);
    }

    [Fact]
    public void Rfc4475_3_3_10_BroadcastSentBy_SyntacticallyValid()
    {
        var via = Ok<ViaHeader>("SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23");
        Assert.Equal(SipHostKind.IPv4, via.HostKind);
    }

    [Fact]
    public void Rfc5118_4_1_IPv6SentBy_Parses()
    {
        var via = Ok<ViaHeader>("SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111");
        Assert.Equal(SipHostKind.IPv6, via.HostKind);
        Assert.Equal("[2001:db8::9:1]", S(via.Host));
        Assert.Equal("2001:db8::9:1", via.GetHost());
        Assert.Null(via.Port);
    }

    [Fact]
    public void Rfc5118_4_5_ReceivedWithAndWithoutDelimiters_BothAccepted()
    {
        var bracketed = Ok<ViaHeader>("SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bKas3-111");
        Assert.Equal("[2001:db8::9:255]", S(bracketed.Received));
        Assert.Equal("z9hG4bKas3-111", S(bracketed.Branch));

        var bare = Ok<ViaHeader>("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3");
        Assert.Equal("2001:db8::9:255", S(bare.Received));
    }

    [Fact]
    public void Rfc5118_4_7_MultipleIPAddressesInVias_ParseEach()
    {
        var first = Ok<ViaHeader>("SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111");
        Assert.Equal(6050, first.Port);
        Assert.Equal(SipHostKind.IPv4, Ok<ViaHeader>("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKjhja8781hjuaij65144").HostKind);
        var third = Ok<ViaHeader>("SIP/2.0/TCP [2001:db8::9:255];branch=z9hG4bK451jj;received=192.0.2.200");
        Assert.Equal(SipHostKind.IPv6, third.HostKind);
        Assert.Equal("192.0.2.200", S(third.Received));

        var list = OkList<ViaHeader>("SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3-111, SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKjhja8781hjuaij65144");
        Assert.Equal(2, list.Count);
    }

    [Fact]
    public void Rfc5118_4_9_IPv4MappedSentBy_Parses()
    {
        var via = Ok<ViaHeader>("SIP/2.0/UDP [::ffff:192.0.2.10]:19823;branch=z9hG4bKbh19");
        Assert.Equal(SipHostKind.IPv6, via.HostKind);
        Assert.Equal(19823, via.Port);
    }

    [Fact]
    public void TryParse_SpacesAroundPortColon_Accepted()
    {
        var via = Ok<ViaHeader>("SIP/2.0/UDP host.example.com : 5070 ;branch=z9hG4bKx");
        Assert.Equal(5070, via.Port);
        Assert.Equal("host.example.com : 5070", S(via.SentBy));
    }

    [Theory]
    [InlineData("", SipHeaderError.Empty, 0)]
    [InlineData("SIP/2.0 host.example.com", SipHeaderError.InvalidSentProtocol, 8)]
    [InlineData("SIP//UDP host.example.com", SipHeaderError.InvalidSentProtocol, 4)]
    [InlineData("SIP/2.0/UDP", SipHeaderError.InvalidSentBy, 11)]
    [InlineData("SIP/2.0/UDPhost", SipHeaderError.InvalidSentBy, 15)]
    [InlineData("SIP/2.0/UDP host_name.com", SipHeaderError.InvalidSentBy, 16)]
    [InlineData("SIP/2.0/UDP 2001:db8::9:1;branch=z9hG4bKa", SipHeaderError.InvalidSentBy, 12)]
    [InlineData("SIP/2.0/UDP [2001:db8::9:1;branch=z9hG4bKa", SipHeaderError.InvalidSentBy, 12)]
    [InlineData("SIP/2.0/UDP host.com:70000", SipHeaderError.InvalidPort, 21)]
    [InlineData("SIP/2.0/UDP host.com:", SipHeaderError.InvalidPort, 21)]
    [InlineData("SIP/2.0/UDP host.com;branch=", SipHeaderError.InvalidParameter, 28)]
    [InlineData("SIP/2.0/UDP host.com;branch=\"z9hG4bKa\"", SipHeaderError.InvalidBranch, 29)]
    [InlineData("SIP/2.0/UDP host.com;received=host.example.com", SipHeaderError.InvalidReceived, 30)]
    [InlineData("SIP/2.0/UDP host.com;rport=70000", SipHeaderError.InvalidRport, 27)]
    [InlineData("SIP/2.0/UDP host.com;ttl=256", SipHeaderError.InvalidTtl, 25)]
    [InlineData("SIP/2.0/UDP host.com;maddr=bad_host", SipHeaderError.InvalidMaddr, 27)]
    [InlineData("SIP/2.0/UDP host.com junk", SipHeaderError.InvalidParameter, 21)]
    public void TryParse_Malformed_ReportsReasonAndOffset(string value, SipHeaderError reason, int offset)
    {
        var rejection = Bad<ViaHeader>(value);
        Assert.Equal(reason, rejection.Reason);
        Assert.Equal(offset, rejection.Offset);
    }

    [Fact]
    public void Parameters_UnknownExtension_Enumerated()
    {
        var via = Ok<ViaHeader>("SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKhjhs8ass877;alias;keep=30");
        Assert.True(via.TryGetParameter("keep"u8, out var keep));
        Assert.Equal("30", S(keep));
        var count = 0;
        foreach (var unused in via.Parameters)
        {
            count++;
        }

        Assert.Equal(3, count);
    }
}
