using System.Text;
using Routing.Sip.Uri;

namespace Routing.Sip.Tests.Uri;

internal static class UriTestHelpers
{
    public static SipUri Parse(string text)
    {
        Assert.True(SipUri.TryParse(Encoding.UTF8.GetBytes(text), out var uri, out var rejection), $"{text}: {rejection}");
        return uri;
    }

    public static SipUriRejection Reject(string text)
    {
        Assert.False(SipUri.TryParse(Encoding.UTF8.GetBytes(text), out _, out var rejection), $"{text} parsed");
        return rejection;
    }

    public static string Str(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
