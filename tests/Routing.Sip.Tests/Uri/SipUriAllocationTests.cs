using Routing.Sip.Uri;

namespace Routing.Sip.Tests.Uri;

public sealed class SipUriAllocationTests
{
    private static readonly byte[] Contact = "sip:+4915112345678@[2001:db8::1]:5061;transport=tls;ob;pn-provider=apns;pn-prid=00fc13adff78512"u8.ToArray();
    private static readonly byte[] Other = "sip:+%34915112345678@[2001:DB8::1]:5061;Transport=TLS;ob"u8.ToArray();

    [Fact]
    public void TryParse_SipUriWithParameters_AllocatesNothing()
    {
        Assert.True(Exercise());
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ok = true;
        for (var i = 0; i < 100; i++)
        {
            ok &= Exercise();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(ok);
        Assert.Equal(0, allocated);
    }

    // Assertions are kept out of the measured loop: they allocate themselves.
    private static bool Exercise()
    {
        return SipUri.TryParse(Contact, out var uri)
            && SipUri.TryParse(Other, out var other)
            && uri.Equals(other)
            && uri.Transport.Length == 3
            && uri.TryGetParameter("pn-prid"u8, out _)
            && uri.Port == 5061
            && uri.GetHashCode() == other.GetHashCode();
    }
}
