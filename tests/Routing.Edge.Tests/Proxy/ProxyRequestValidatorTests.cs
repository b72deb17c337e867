using System.Buffers;
using System.Text;
using Routing.Edge.Proxy;
using static Routing.Edge.Tests.Proxy.ProxyTestMessages;

namespace Routing.Edge.Tests.Proxy;

public sealed class ProxyRequestValidatorTests
{
    private static ProxyRejection Validate(string text, out string unsupported)
    {
        using var m = Parse(text);
        var w = new ArrayBufferWriter<byte>();
        var r = ProxyRequestValidator.Validate(m, Settings, w);
        unsupported = Encoding.ASCII.GetString(w.WrittenSpan);
        return r;
    }

    [Fact]
    public void Rfc3261_16_3_ValidRequest_None() => Assert.Equal(ProxyRejection.None, Validate(Invite(), out _));

    [Fact]
    public void Rfc3261_16_3_Step2_UnknownScheme_416()
    {
        Assert.Equal(ProxyRejection.UnsupportedUriScheme, Validate(Invite("urn:service:sos"), out _));
        Assert.Equal(416, ProxyRejection.UnsupportedUriScheme.StatusCode());
    }

    [Fact]
    public void Rfc3261_16_3_Step3_MaxForwardsZero_483() =>
        Assert.Equal(ProxyRejection.TooManyHops, Validate(Invite(maxForwards: 0), out _));

    [Fact]
    public void Rfc3261_16_3_Step5_UnknownProxyRequire_420WithTags()
    {
        Assert.Equal(ProxyRejection.BadExtension, Validate(Invite(extra: "Proxy-Require: foo, bar\n"), out var tags));
        Assert.Equal("foo, bar", tags);
    }

    [Fact]
    public void Rfc3261_16_3_Step4_SameRequestBackThroughUs_Loop()
    {
        using var original = Parse(Invite());
        var hash = LoopDetection.RequestHash(original);
        var ourVia = "SIP/2.0/UDP sip.example.net;branch=" + LoopDetection.Branch(hash, "1");
        var looped = Invite(via: "SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKx\nVia: " + ourVia + "\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa1");
        Assert.Equal(ProxyRejection.LoopDetected, Validate(looped, out _));
    }

    [Fact]
    public void Rfc3261_16_3_Step4_ComesBackWithNewRequestUri_SpiralAllowed()
    {
        using var original = Parse(Invite());
        var ourVia = "SIP/2.0/UDP sip.example.net;branch=" + LoopDetection.Branch(LoopDetection.RequestHash(original), "1");
        var spiral = Invite("sip:bob-mobile@example.com", via: "SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKx\nVia: " + ourVia);
        Assert.Equal(ProxyRejection.None, Validate(spiral, out _));
    }

    [Fact]
    public void Rfc5393_5_3_MoreBranchesThanMaxBreadth_Refused()
    {
        Span<int> shares = stackalloc int[3];
        Assert.False(MaxBreadth.TryAllocate(2, 60, 3, shares));
        Assert.Equal(440, ProxyRejection.MaxBreadthExceeded.StatusCode());
    }

    [Fact]
    public void Rfc5393_5_3_3_SharesSumToReceivedValue()
    {
        Span<int> shares = stackalloc int[3];
        Assert.True(MaxBreadth.TryAllocate(10, 60, 3, shares));
        Assert.Equal(10, shares[0] + shares[1] + shares[2]);
        Assert.True(shares[2] >= 1);
    }

    [Fact]
    public void Rfc5393_4_HeaderRead_Value()
    {
        using var m = Parse(Invite(extra: "Max-Breadth: 7\n"));
        Assert.Equal(7, MaxBreadth.Read(m));
    }
}
