using System.Text;

namespace Routing.Sip.Message;

/// <summary>
/// Header-name table: canonical names, compact forms (RFC 3261 §7.3.3, RFC 3841, RFC 3515, RFC 3892, RFC 4028,
/// RFC 4474, RFC 6665) and a case-insensitive byte lookup that allocates nothing (RFC 3261 §7.3.1: names are
/// case-insensitive).
/// </summary>
public static class SipHeaderTable
{
    private static readonly byte[][] CanonicalNames = BuildCanonical();
    private static readonly SipHeaderId[] CompactForms = BuildCompact();
    private static readonly (byte[] Name, SipHeaderId Id)[][] ByLength = BuildByLength();

    /// <summary>Number of values in <see cref="SipHeaderId"/>; arrays indexed by id use this length.</summary>
    public static int Count => CanonicalNames.Length;

    /// <summary>Looks a header name up, full or compact form, ignoring ASCII case.</summary>
    public static SipHeaderId Lookup(ReadOnlySpan<byte> name)
    {
        if (name.Length == 1)
        {
            var c = name[0] | 0x20;
            return (uint)(c - 'a') < 26 ? CompactForms[c - 'a'] : SipHeaderId.Unknown;
        }

        if ((uint)name.Length >= (uint)ByLength.Length)
        {
            return SipHeaderId.Unknown;
        }

        var first = name[0] | 0x20;
        foreach (var (candidate, id) in ByLength[name.Length])
        {
            if ((candidate[0] | 0x20) == first && System.Text.Ascii.EqualsIgnoreCase(name, candidate))
            {
                return id;
            }
        }

        return SipHeaderId.Unknown;
    }

    /// <summary>The canonical (long-form) name as sent by this stack, e.g. <c>Call-ID</c>.</summary>
    public static ReadOnlySpan<byte> GetName(SipHeaderId id) => CanonicalNames[(int)id];

    /// <summary>The compact form for a header that has one (e.g. <c>v</c> for Via), otherwise 0.</summary>
    public static byte GetCompactForm(SipHeaderId id)
    {
        for (var i = 0; i < CompactForms.Length; i++)
        {
            if (CompactForms[i] == id && id != SipHeaderId.Unknown)
            {
                return (byte)('a' + i);
            }
        }

        return 0;
    }

    private static string Name(SipHeaderId id) => id switch
    {
        SipHeaderId.Unknown => "",
        SipHeaderId.Via => "Via",
        SipHeaderId.From => "From",
        SipHeaderId.To => "To",
        SipHeaderId.CallId => "Call-ID",
        SipHeaderId.CSeq => "CSeq",
        SipHeaderId.MaxForwards => "Max-Forwards",
        SipHeaderId.Route => "Route",
        SipHeaderId.RecordRoute => "Record-Route",
        SipHeaderId.Contact => "Contact",
        SipHeaderId.ContentLength => "Content-Length",
        SipHeaderId.ContentType => "Content-Type",
        SipHeaderId.Expires => "Expires",
        SipHeaderId.Require => "Require",
        SipHeaderId.ProxyRequire => "Proxy-Require",
        SipHeaderId.Supported => "Supported",
        SipHeaderId.Authorization => "Authorization",
        SipHeaderId.ProxyAuthorization => "Proxy-Authorization",
        SipHeaderId.WwwAuthenticate => "WWW-Authenticate",
        SipHeaderId.ProxyAuthenticate => "Proxy-Authenticate",
        SipHeaderId.AuthenticationInfo => "Authentication-Info",
        SipHeaderId.Unsupported => "Unsupported",
        SipHeaderId.Allow => "Allow",
        SipHeaderId.Accept => "Accept",
        SipHeaderId.AcceptEncoding => "Accept-Encoding",
        SipHeaderId.AcceptLanguage => "Accept-Language",
        SipHeaderId.ContentEncoding => "Content-Encoding",
        SipHeaderId.ContentDisposition => "Content-Disposition",
        SipHeaderId.ContentLanguage => "Content-Language",
        SipHeaderId.MimeVersion => "MIME-Version",
        SipHeaderId.Date => "Date",
        SipHeaderId.Timestamp => "Timestamp",
        SipHeaderId.UserAgent => "User-Agent",
        SipHeaderId.Server => "Server",
        SipHeaderId.Subject => "Subject",
        SipHeaderId.Organization => "Organization",
        SipHeaderId.Priority => "Priority",
        SipHeaderId.Warning => "Warning",
        SipHeaderId.RetryAfter => "Retry-After",
        SipHeaderId.MinExpires => "Min-Expires",
        SipHeaderId.ErrorInfo => "Error-Info",
        SipHeaderId.AlertInfo => "Alert-Info",
        SipHeaderId.CallInfo => "Call-Info",
        SipHeaderId.InReplyTo => "In-Reply-To",
        SipHeaderId.ReplyTo => "Reply-To",
        SipHeaderId.Path => "Path",
        SipHeaderId.ServiceRoute => "Service-Route",
        SipHeaderId.PAssertedIdentity => "P-Asserted-Identity",
        SipHeaderId.PPreferredIdentity => "P-Preferred-Identity",
        SipHeaderId.Privacy => "Privacy",
        SipHeaderId.SessionExpires => "Session-Expires",
        SipHeaderId.MinSE => "Min-SE",
        SipHeaderId.Reason => "Reason",
        SipHeaderId.Event => "Event",
        SipHeaderId.AllowEvents => "Allow-Events",
        SipHeaderId.SubscriptionState => "Subscription-State",
        SipHeaderId.ReferTo => "Refer-To",
        SipHeaderId.ReferredBy => "Referred-By",
        SipHeaderId.Replaces => "Replaces",
        SipHeaderId.AcceptContact => "Accept-Contact",
        SipHeaderId.RejectContact => "Reject-Contact",
        SipHeaderId.RequestDisposition => "Request-Disposition",
        SipHeaderId.Identity => "Identity",
        SipHeaderId.IdentityInfo => "Identity-Info",
        SipHeaderId.RSeq => "RSeq",
        SipHeaderId.RAck => "RAck",
        SipHeaderId.FlowTimer => "Flow-Timer",
        _ => throw new ArgumentOutOfRangeException(nameof(id)),
    };

    private static byte[][] BuildCanonical()
    {
        var ids = Enum.GetValues<SipHeaderId>();
        var names = new byte[ids.Length][];
        foreach (var id in ids)
        {
            names[(int)id] = Encoding.ASCII.GetBytes(Name(id));
        }

        return names;
    }

    private static SipHeaderId[] BuildCompact()
    {
        var table = new SipHeaderId[26];

        // IANA "Session Initiation Protocol (SIP) Parameters", header fields with compact forms.
        table['a' - 'a'] = SipHeaderId.AcceptContact;
        table['b' - 'a'] = SipHeaderId.ReferredBy;
        table['c' - 'a'] = SipHeaderId.ContentType;
        table['d' - 'a'] = SipHeaderId.RequestDisposition;
        table['e' - 'a'] = SipHeaderId.ContentEncoding;
        table['f' - 'a'] = SipHeaderId.From;
        table['i' - 'a'] = SipHeaderId.CallId;
        table['j' - 'a'] = SipHeaderId.RejectContact;
        table['k' - 'a'] = SipHeaderId.Supported;
        table['l' - 'a'] = SipHeaderId.ContentLength;
        table['m' - 'a'] = SipHeaderId.Contact;
        table['n' - 'a'] = SipHeaderId.IdentityInfo;
        table['o' - 'a'] = SipHeaderId.Event;
        table['r' - 'a'] = SipHeaderId.ReferTo;
        table['s' - 'a'] = SipHeaderId.Subject;
        table['t' - 'a'] = SipHeaderId.To;
        table['u' - 'a'] = SipHeaderId.AllowEvents;
        table['v' - 'a'] = SipHeaderId.Via;
        table['x' - 'a'] = SipHeaderId.SessionExpires;
        table['y' - 'a'] = SipHeaderId.Identity;
        return table;
    }

    private static (byte[] Name, SipHeaderId Id)[][] BuildByLength()
    {
        var max = 0;
        foreach (var n in CanonicalNames)
        {
            max = Math.Max(max, n.Length);
        }

        var lists = new List<(byte[], SipHeaderId)>[max + 1];
        for (var i = 0; i < lists.Length; i++)
        {
            lists[i] = [];
        }

        for (var id = 1; id < CanonicalNames.Length; id++)
        {
            lists[CanonicalNames[id].Length].Add((CanonicalNames[id], (SipHeaderId)id));
        }

        var result = new (byte[], SipHeaderId)[max + 1][];
        for (var i = 0; i < lists.Length; i++)
        {
            result[i] = [.. lists[i]];
        }

        return result;
    }
}
