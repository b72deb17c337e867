using BenchmarkDotNet.Attributes;
using Routing.Sip.Headers;
using Routing.Sip.Uri;

namespace Routing.Benchmarks.Values;

/// <summary>Parse costs of the typed values a REGISTER/INVITE touches on the routing path.</summary>
[MemoryDiagnoser]
public class ValueParseBenchmarks
{
    private static readonly byte[] Uri = "sip:+4915112345678@[2001:db8::1]:5061;transport=tls;ob;pn-provider=apns;pn-prid=00fc13adff78512"u8.ToArray();
    private static readonly byte[] OtherUri = "sip:+%34915112345678@[2001:DB8::1]:5061;Transport=TLS;ob"u8.ToArray();
    private static readonly byte[] Via = "SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bK776asdhds;rport;received=192.0.2.1"u8.ToArray();
    private static readonly byte[] From = "\"Alice\" <sip:alice@atlanta.com>;tag=1928301774"u8.ToArray();
    private static readonly byte[] Contact = "<sip:alice@[2001:db8::5]:49152;transport=tls;ob;pn-provider=apns;pn-prid=00fc13adff78512>;expires=600;q=0.7;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\";reg-id=1"u8.ToArray();
    private static readonly byte[] CSeq = "314159 REGISTER"u8.ToArray();

    [Benchmark]
    public bool SipUriParse() => SipUri.TryParse(Uri, out _);

    [Benchmark]
    public bool SipUriEquals() => SipUri.TryParse(Uri, out var a) && SipUri.TryParse(OtherUri, out var b) && a.Equals(b);

    [Benchmark]
    public int ViaParseAndBranch() => ViaHeader.TryParse(Via, out var via, out _) ? via.Branch.Length : -1;

    [Benchmark]
    public int FromParseAndTag() => FromToHeader.TryParse(From, out var from, out _) ? from.Tag.Length : -1;

    [Benchmark]
    public int ContactParse() => ContactHeader.TryParse(Contact, out var contact, out _) ? contact.Count : -1;

    [Benchmark]
    public uint CSeqParse() => CSeqHeader.TryParse(CSeq, out var cseq, out _) ? cseq.Number : 0;
}
