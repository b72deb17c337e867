using System.Text;
using Routing.Sip.Headers;
using Routing.Sip.Syntax;
using Routing.Sip.Uri;

namespace Routing.Sip.Tests.Headers;

/// <summary>
/// Bounded, deterministic mutation tests: every public parse over hostile bytes must return (accept or reject) and
/// never throw, and the accessors of whatever was accepted must not throw either.
/// </summary>
public sealed class ValueRobustnessTests
{
    private const int MutationsPerSample = 400;

    private static readonly byte[] Specials = Encoding.ASCII.GetBytes(",;<>\"\\%[]:@?&= \r\n\t()/*+.0123456789aZ").Concat(new byte[] { 0, 0x7F, 0x80, 0xFF }).ToArray();

    private static readonly string[] Samples =
    [
        "sip:alice:pw@atlanta.com:5061;transport=tcp;lr;maddr=239.1.1.1;ttl=15?subject=project%20x&priority=urgent",
        "sips:%61lice@[2001:db8::10]:5070;user=phone",
        "tel:+1-201-555-0123;ext=1234;phone-context=example.com",
        "\"J Rosenberg \\\\\\\"\" <sip:jdrosen@example.com> ; tag = 98asjd8",
        "<sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>;expires=600;q=0.7;+sip.instance=\"<urn:uuid:1>\";reg-id=1;video",
        "SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  , SIP/2.0/UDP [2001:db8::9:1]:6050;received=2001:db8::9:255;rport=5060",
        "314159 INVITE",
        "1800;refresher=uac",
        "SIP ;cause=200 ;text=\"Call completed elsewhere\", Q.850;cause=26",
        "120 (I'm in (a) meeting);duration=3600",
        "*;audio;require;explicit, *;+sip.mobility=\"mobile\"",
        "54.123 0.5",
        "Sat, 13 Nov 2010 23:29:00 GMT",
        "Softphone/3.2.1 (iOS 17.1; iPhone15,2) libre/2.0",
    ];

    [Fact]
    public void AllParsers_MutatedSamples_NeverThrow()
    {
        var random = new Random(20261126);
        var runs = 0;
        foreach (var sample in Samples)
        {
            var original = Encoding.UTF8.GetBytes(sample);
            for (var prefix = 0; prefix <= original.Length; prefix++)
            {
                ParseEverything(original.AsMemory(0, prefix));
                runs++;
            }

            for (var m = 0; m < MutationsPerSample; m++)
            {
                ParseEverything(Mutate(original, random));
                runs++;
            }
        }

        Assert.True(runs > Samples.Length * MutationsPerSample);
    }

    [Fact]
    public void AllParsers_RandomBytes_NeverThrow()
    {
        var random = new Random(7);
        for (var n = 0; n < 3000; n++)
        {
            var bytes = new byte[random.Next(0, 64)];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = Specials[random.Next(Specials.Length)];
            }

            ParseEverything(bytes);
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] = Specials[random.Next(Specials.Length)];
                    break;
                case 1:
                    bytes.Insert(at, Specials[random.Next(Specials.Length)]);
                    break;
                case 2:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    var length = random.Next(1, Math.Min(8, bytes.Count - at) + 1);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
            }
        }

        return bytes.ToArray();
    }

    private static void ParseEverything(ReadOnlyMemory<byte> input)
    {
        var span = input.Span;
        if (SipUri.TryParse(input, out var uri))
        {
            Touch(uri);
        }

        if (NameAddress.TryParse(input, out var na, out _))
        {
            Touch(na.Uri);
            _ = na.GetDisplayName();
            _ = na.Tag.Length;
        }

        if (ContactHeader.TryParse(input, out var contact, out _))
        {
            foreach (var c in contact)
            {
                _ = c.QValue;
                _ = c.TryGetExpires(out _);
                _ = c.RegId;
                _ = c.PushPrid.Length;
                _ = c.HasFeatureTag("sip.video"u8);
                foreach (var unused in c.FeatureTags)
                {
                }
            }
        }

        if (SipHeaderValueList<ViaHeader>.TryParse(input, out var vias, out _))
        {
            foreach (var v in vias)
            {
                _ = v.HasMagicCookie;
                _ = v.Rport;
                _ = v.Ttl;
                _ = v.GetHost();
                _ = v.SentBy.Length;
            }
        }

        _ = SipHeaderValueList<RouteAddress>.TryParse(input, out _, out _);
        _ = CSeqHeader.TryParse(input, out _, out _);
        _ = SessionExpiresHeader.TryParse(input, out _, out _);
        if (SipHeaderValueList<ReasonHeader>.TryParse(input, out var reasons, out _))
        {
            foreach (var r in reasons)
            {
                _ = r.GetText();
            }
        }

        _ = RetryAfterHeader.TryParse(input, out _, out _);
        _ = SipHeaderValueList<CallerPreference>.TryParse(input, out _, out _);
        if (TimestampHeader.TryParse(input, out var ts, out _))
        {
            _ = ts.TryGetValue(out _);
            _ = ts.TryGetDelay(out _);
        }

        _ = DateHeader.TryParse(input, out _, out _);
        _ = DeltaSecondsHeader.TryParse(input, out _, out _);
        _ = MaxForwardsHeader.TryParse(input, out _, out _);
        _ = SipUri.TryValidate(span, out _, out _);
        if (ProductHeader.TryParse(input, out var products, out _))
        {
            foreach (var unused in products)
            {
            }
        }

        _ = SipParameters.TryValidate(span, SipParameterSyntax.Uri, out _);
        _ = SipParameters.TryValidate(span, SipParameterSyntax.Header, out _);
        _ = SipList.TryCount(span, out _, out _);
        if (!span.IsEmpty && span[0] == (byte)'"' && QuotedString.TryRead(span, out var token, out _))
        {
            _ = QuotedString.UnescapeToString(span.Slice(1, token.ContentLength));
        }

        _ = SipComment.TryRead(span, out _, out _);
        _ = PercentEncoding.DecodeToString(span);
        _ = SipHost.Classify(span);
    }

    private static void Touch(SipUri uri)
    {
        _ = uri.ToAddressOfRecord();
        _ = uri.GetHashCode();
        _ = uri.Equals(uri);
        _ = uri.GetUser();
        _ = uri.GetHost();
        _ = uri.Ttl;
        _ = uri.CheckUsage(SipUriUsage.RequestUri);
        foreach (var unused in uri.Parameters)
        {
        }

        foreach (var h in uri.Headers)
        {
            _ = h.GetValueString();
        }
    }
}
