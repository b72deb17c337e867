using System.Buffers;
using Routing.Sip.Syntax;

namespace Routing.Sip.Message;

/// <summary>Role-dependent checks that follow a successful parse.</summary>
public static class SipMessageChecks
{
    /// <summary>
    /// RFC 3261 §16.3 step 4 (proxy, Proxy-Require) and §8.2.2.3 (UAS, Require): writes to <paramref name="unsupported"/>
    /// the comma-separated option tags not in <paramref name="supported"/> and returns true when there are any;
    /// the element then answers 420 (Bad Extension) with them in an Unsupported header (RFC 4475 §3.3.5).
    /// </summary>
    public static bool TryFindUnsupportedOptions(
        SipMessage message, SipHeaderId header, IReadOnlySet<string> supported, IBufferWriter<byte> unsupported)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(supported);
        ArgumentNullException.ThrowIfNull(unsupported);
        if (header is not (SipHeaderId.Require or SipHeaderId.ProxyRequire))
        {
            throw new ArgumentOutOfRangeException(nameof(header), "only Require and Proxy-Require carry option tags");
        }

        // RFC 3261 §8.2.2.3: Require is not examined for CANCEL or ACK.
        if (message.Method is SipMethod.Ack or SipMethod.Cancel)
        {
            return false;
        }

        var found = false;
        foreach (var range in message.EnumerateValues(header))
        {
            var tag = message.Slice(range);
            if (supported.Contains(System.Text.Encoding.ASCII.GetString(tag)))
            {
                continue;
            }

            if (found)
            {
                unsupported.Write(", "u8);
            }

            unsupported.Write(tag);
            found = true;
        }

        return found;
    }

    /// <summary>True when the Request-URI scheme is <c>sip</c>, <c>sips</c> or <c>tel</c> (RFC 3261 §8.2.2.1, §16.3 step 3).</summary>
    public static bool HasSupportedRequestUriScheme(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var uri = message.RequestUri;
        var colon = uri.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        var scheme = uri[..colon];
        return System.Text.Ascii.EqualsIgnoreCase(scheme, "sip"u8) || System.Text.Ascii.EqualsIgnoreCase(scheme, "sips"u8)
            || System.Text.Ascii.EqualsIgnoreCase(scheme, "tel"u8);
    }

    /// <summary>Whether <paramref name="value"/> is a single option tag (a token).</summary>
    public static bool IsOptionTag(ReadOnlySpan<byte> value) => SipCharacters.IsToken(value);
}
