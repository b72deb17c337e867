using System.Text;

namespace Routing.Sip.Tests.Message;

internal static class TestMessages
{
    /// <summary>Turns a readable multi-line literal into wire bytes: LF becomes CRLF.</summary>
    public static byte[] Wire(string text) => Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));

    public const string Register =
        """
        REGISTER sip:example.com SIP/2.0
        Via: SIP/2.0/TCP 10.0.0.7:50612;branch=z9hG4bK-524287-1---7a5e1d5f;rport
        Max-Forwards: 70
        Contact: <sip:alice@10.0.0.7:50612;transport=tcp;ob>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>";reg-id=1;expires=600
        To: <sip:alice@example.com>
        From: <sip:alice@example.com>;tag=8a1b2c3d
        Call-ID: 9f2c7a1e4b6d8f00@10.0.0.7
        CSeq: 2 REGISTER
        Supported: path, outbound, gruu
        User-Agent: MobileSoftphone/5.2 (iOS 17.4)
        Content-Length: 0


        """;

    public const string Options =
        """
        OPTIONS sip:proxy.example.com SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKopt1;rport
        Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKopt0
        Max-Forwards: 70
        To: <sip:proxy.example.com>
        From: "Probe" <sip:probe@example.com>;tag=77aa
        Call-ID: opt-123@192.0.2.4
        CSeq: 1 OPTIONS
        Timestamp: 54
        Accept: application/sdp
        Content-Length: 0


        """;
}
