using Routing.Sip.Headers;
using Routing.Sip.Syntax;

namespace Routing.Sip.Tests.Headers;

// Assertions are kept out of the measured loops: xunit's assertions allocate themselves.
public sealed class HeaderAllocationTests
{
    private static readonly byte[] Via = "SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bK776asdhds;rport;received=192.0.2.1"u8.ToArray();
    private static readonly byte[] ViaList = "SIP/2.0/TLS p1.example.com;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.1:5062;rport=5062;branch=z9hG4bK2"u8.ToArray();
    private static readonly byte[] From = "\"Alice \\\"A\\\" Smith\" <sip:%61lice@atlanta.com;transport=tcp>;tag=1928301774"u8.ToArray();
    private static readonly byte[] Contact = "<sip:alice@[2001:db8::5]:49152;transport=tls;ob;pn-provider=apns;pn-prid=00fc13adff78512>;expires=600;q=0.7;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\";reg-id=1;video"u8.ToArray();
    private static readonly byte[] Route = "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>"u8.ToArray();
    private static readonly byte[] CSeq = "314159 INVITE"u8.ToArray();
    private static readonly byte[] SessionExpires = "1800;refresher=uac"u8.ToArray();

    [Fact]
    public void TryParse_Via_AllocatesNothing() => AssertNoAllocation(static () =>
        ViaHeader.TryParse(Via, out var via, out _)
        && via.HasMagicCookie && via.HasRport && via.Port == 5060 && via.Received.Length == 9
        && SipHeaderValueList<ViaHeader>.TryParse(ViaList, out var list, out _)
        && list.Count == 2 && EnumerateVias(list) == 2);

    [Fact]
    public void TryParse_NameAddr_AllocatesNothing() => AssertNoAllocation(static () =>
        FromToHeader.TryParse(From, out var from, out _)
        && from.HasTag && from.Tag.Length == 10 && from.Address.DisplayName.Length > 0
        && from.Uri.Transport.Length == 3);

    [Fact]
    public void TryParse_ContactAndRoute_AllocatesNothing() => AssertNoAllocation(static () =>
        ContactHeader.TryParse(Contact, out var contact, out _)
        && contact.Values.First.QValue == 700 && contact.Values.First.TryGetExpires(out var expires) && expires == 600
        && contact.Values.First.HasFeatureTag("sip.video"u8) && contact.Values.First.PushProvider.Length == 4
        && SipHeaderValueList<RouteAddress>.TryParse(Route, out var route, out _) && route.First.IsLooseRouting);

    [Fact]
    public void TryParse_SimpleValues_AllocatesNothing() => AssertNoAllocation(static () =>
        CSeqHeader.TryParse(CSeq, out var cseq, out _) && cseq.Number == 314159 && cseq.Method.Length == 6
        && SessionExpiresHeader.TryParse(SessionExpires, out var se, out _) && se.Refresher == SessionRefresher.Uac
        && SipNumber.TryParseUInt32("70"u8, out var maxForwards) && maxForwards == 70);

    private static int EnumerateVias(SipHeaderValueList<ViaHeader> list)
    {
        var n = 0;
        foreach (var v in list)
        {
            n += v.HasBranch ? 1 : 0;
        }

        return n;
    }

    private static void AssertNoAllocation(Func<bool> parse)
    {
        Assert.True(parse());
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ok = true;
        for (var i = 0; i < 100; i++)
        {
            ok &= parse();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(ok);
        Assert.Equal(0, allocated);
    }
}
