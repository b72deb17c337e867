using System.Globalization;
using System.Text;
using Routing.Sip.Uri;

namespace Routing.Edge.Proxy;

/// <summary>
/// The proxy's own URI in Record-Route and Route: the cluster's shared signaling address (so that an in-dialog request
/// can reach any edge), <c>lr</c> (RFC 3261 §16.6 step 4 loose routing) and <c>dlg</c>, the dialog key.
/// </summary>
public static class RecordRoute
{
    /// <summary>The URI parameter carrying the dialog key.</summary>
    public const string DialogParameter = "dlg";

    /// <summary>
    /// The dialog key of a Call-ID: 16 hex digits of FNV-1a. Every in-dialog request carries the Call-ID, so the key
    /// only has to let the edge check that a Route naming the cluster belongs to this dialog.
    /// </summary>
    public static string DialogKey(ReadOnlySpan<byte> callId)
    {
        var h = 14695981039346656037UL;
        foreach (var b in callId)
        {
            h = (h ^ b) * 1099511628211UL;
        }

        return h.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>A name-addr for Record-Route: <c>&lt;sip:host[:port][;transport=t];lr;dlg=key&gt;</c>.</summary>
    public static string Value(ProxySettings settings, string transport, string dialogKey)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var sb = new StringBuilder(64);
        var secure = string.Equals(transport, "tls", StringComparison.OrdinalIgnoreCase);
        sb.Append(secure ? "<sips:" : "<sip:");
        var host = settings.SignalingHost;
        sb.Append(host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? "[" + host + "]" : host);
        if (settings.SignalingPort is { } port)
        {
            sb.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }

        if (!secure && !string.Equals(transport, "udp", StringComparison.OrdinalIgnoreCase))
        {
            sb.Append(";transport=").Append(transport.ToLowerInvariant());
        }

        sb.Append(";lr;").Append(DialogParameter).Append('=').Append(dialogKey).Append('>');
        return sb.ToString();
    }

    /// <summary>
    /// The Record-Route value for a request that arrives on <paramref name="inbound"/> and leaves on
    /// <paramref name="outbound"/>: one entry, or two when the transports differ (RFC 5658 double record-routing: the
    /// callee-facing entry on top, the caller-facing one below).
    /// </summary>
    public static string ValueFor(ProxySettings settings, string inbound, string outbound, string dialogKey) =>
        string.Equals(inbound, outbound, StringComparison.OrdinalIgnoreCase)
            ? Value(settings, outbound, dialogKey)
            : Value(settings, outbound, dialogKey) + ", " + Value(settings, inbound, dialogKey);

    /// <summary>True when <paramref name="uri"/> names this proxy (its host is the shared address or a local name).</summary>
    public static bool IsOwn(in SipUri uri, ProxySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!uri.IsSip || !settings.IsLocalHost(uri.Host))
        {
            return false;
        }

        // A bare host with the user part set is a user at the host (e.g. sip:alice@127.0.0.1), not a route to us.
        if (uri.HasUser && !uri.HasParameter("lr"u8) && !uri.HasParameter("dlg"u8))
        {
            return false;
        }

        return settings.SignalingPort is not { } port || uri.Port is null || uri.Port == port || IsLocalPortAlias(uri, settings);
    }

    /// <summary>The dlg parameter of one of our URIs, null when absent.</summary>
    public static string? DialogKeyOf(in SipUri uri) =>
        uri.TryGetParameter("dlg"u8, out var v) && !v.IsEmpty ? Encoding.ASCII.GetString(v) : null;

    private static bool IsLocalPortAlias(in SipUri uri, ProxySettings settings) =>
        settings.LocalHosts.Count > 0 && uri.HasParameter("dlg"u8);
}
