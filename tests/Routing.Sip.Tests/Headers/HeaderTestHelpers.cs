using System.Text;
using Routing.Sip.Headers;

namespace Routing.Sip.Tests.Headers;

internal static class HeaderTestHelpers
{
    public static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    public static string S(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    public static T Ok<T>(string text)
        where T : struct, ISipHeaderValue<T>
    {
        Assert.True(T.TryParse(B(text), out var value, out var rejection), $"{text}: {rejection}");
        return value;
    }

    public static SipHeaderRejection Bad<T>(string text)
        where T : struct, ISipHeaderValue<T>
    {
        Assert.False(T.TryParse(B(text), out _, out var rejection), $"{text} parsed");
        Assert.NotEqual(SipHeaderError.None, rejection.Reason);
        return rejection;
    }

    public static SipHeaderValueList<T> OkList<T>(string text)
        where T : struct, ISipHeaderValue<T>
    {
        Assert.True(SipHeaderValueList<T>.TryParse(B(text), out var list, out var rejection), $"{text}: {rejection}");
        return list;
    }

    public static SipHeaderRejection BadList<T>(string text)
        where T : struct, ISipHeaderValue<T>
    {
        Assert.False(SipHeaderValueList<T>.TryParse(B(text), out _, out var rejection), $"{text} parsed");
        return rejection;
    }
}
