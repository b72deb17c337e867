using System.Buffers;
using System.Text;
using Routing.Edge.Proxy;
using Routing.Sip.Message;

namespace Routing.Edge.Tests.Proxy;

internal static class ProxyTestMessages
{
    public static readonly ProxySettings Settings = new()
    {
        SignalingHost = "sip.example.net",
        LocalHosts = ["127.0.0.1"],
        Domains = ["example.com"],
    };

    // The parser refuses unknown schemes itself; "urn" passes it so that the proxy's own §16.3 check is exercised.
    private static readonly SipParserOptions Options = new() { ExtraRequestUriSchemes = ["urn"] };

    public static SipMessage Parse(string text)
    {
        var result = SipParser.ParseDatagram(Encoding.ASCII.GetBytes(text.ReplaceLineEndings("\r\n")), Options);
        Assert.Equal(SipParseStatus.Message, result.Status);
        return result.Message!;
    }

    public static string Invite(string requestUri = "sip:bob@example.com", string extra = "", int maxForwards = 70, string via = "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa1") =>
        $"""
        INVITE {requestUri} SIP/2.0
        Via: {via}
        Max-Forwards: {maxForwards}
        From: <sip:alice@example.com>;tag=f1
        To: <sip:bob@example.com>
        Call-ID: c1@10.0.0.1
        CSeq: 1 INVITE
        Contact: <sip:alice@10.0.0.1:5060>
        {extra}Content-Length: 0


        """;

    public static string Forward(SipMessage request, RoutePlan plan, ForwardSpec spec)
    {
        using var editor = new SipMessageEditor();
        var output = new ArrayBufferWriter<byte>();
        Assert.True(ProxyForwarder.Write(request, plan, spec, editor, output));
        return Encoding.ASCII.GetString(output.WrittenSpan);
    }
}
