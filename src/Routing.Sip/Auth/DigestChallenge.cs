using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Routing.Sip.Auth;

/// <summary>
/// A Digest challenge as carried by WWW-Authenticate (401) or Proxy-Authenticate (407), RFC 3261 §22.1/§22.3,
/// RFC 7616 §3.3. Parameters this type does not model are kept in <see cref="OtherParameters"/> in received order.
/// </summary>
public sealed record DigestChallenge
{
    /// <summary>The protection space shown to the user (required).</summary>
    public required string Realm { get; init; }

    /// <summary>Server nonce (required).</summary>
    public required string Nonce { get; init; }

    /// <summary>Opaque string the client returns unchanged, or null.</summary>
    public string? Opaque { get; init; }

    /// <summary>The "domain" URI list as received, or null.</summary>
    public string? Domain { get; init; }

    /// <summary>The algorithm token as received; null when absent (which means MD5, RFC 3261 §22.4).</summary>
    public string? AlgorithmToken { get; init; }

    /// <summary>qop-options (RFC 7616 §3.3), e.g. ["auth"]; empty for an RFC 2069 style challenge.</summary>
    public IReadOnlyList<string> QopOptions { get; init; } = [];

    /// <summary>stale=true: the nonce was expired but the response was right; retry without asking the user (RFC 7616 §3.3).</summary>
    public bool Stale { get; init; }

    /// <summary>userhash=true (RFC 7616 §3.3).</summary>
    public bool Userhash { get; init; }

    /// <summary>charset value, e.g. "UTF-8", or null.</summary>
    public string? Charset { get; init; }

    /// <summary>Unknown parameters, kept so a proxy can relay them.</summary>
    public IReadOnlyList<AuthParam> OtherParameters { get; init; } = [];

    /// <summary>The algorithm, MD5 when absent, null when the token names an algorithm we do not implement.</summary>
    public DigestAlgorithm? Algorithm =>
        AlgorithmToken is null ? DigestAlgorithm.Md5
        : DigestAlgorithms.TryParse(AlgorithmToken, out var algorithm) ? algorithm : null;

    /// <summary>True when "auth" is among the qop-options.</summary>
    public bool OffersQopAuth
    {
        get
        {
            foreach (var qop in QopOptions)
            {
                if (qop.Equals("auth", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>A challenge as this node sends it: qop="auth" unless <paramref name="offerQopAuth"/> is false.</summary>
    public static DigestChallenge Create(
        string realm,
        string nonce,
        DigestAlgorithm algorithm,
        string? opaque = null,
        bool stale = false,
        bool offerQopAuth = true) => new()
        {
            Realm = realm,
            Nonce = nonce,
            Opaque = opaque,
            AlgorithmToken = DigestAlgorithms.ToToken(algorithm),
            QopOptions = offerQopAuth ? ["auth"] : [],
            Stale = stale,
        };

    /// <summary>Parses a header value (everything after "WWW-Authenticate:"); never throws on bad input.</summary>
    public static bool TryParse(
        ReadOnlySpan<byte> value,
        [NotNullWhen(true)] out DigestChallenge? challenge,
        out DigestParseError error)
    {
        challenge = null;
        if (!AuthParamReader.TryRead(value, out var scheme, out var parameters, out error))
        {
            return false;
        }

        if (!scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase))
        {
            error = new DigestParseError(DigestParseErrorReason.UnsupportedScheme, 0);
            return false;
        }

        string? realm = null, nonce = null, opaque = null, domain = null, algorithm = null, charset = null;
        IReadOnlyList<string> qop = [];
        bool stale = false, userhash = false;
        var others = new List<AuthParam>();
        foreach (var parameter in parameters)
        {
            switch (parameter.Name)
            {
                case "realm": realm = parameter.Value; break;
                case "nonce": nonce = parameter.Value; break;
                case "opaque": opaque = parameter.Value; break;
                case "domain": domain = parameter.Value; break;
                case "algorithm": algorithm = parameter.Value; break;
                case "charset": charset = parameter.Value; break;
                case "qop": qop = SplitList(parameter.Value); break;
                case "stale": stale = parameter.Value.Equals("true", StringComparison.OrdinalIgnoreCase); break;
                case "userhash": userhash = parameter.Value.Equals("true", StringComparison.OrdinalIgnoreCase); break;
                default: others.Add(parameter); break;
            }
        }

        if (realm is null || nonce is null)
        {
            error = new DigestParseError(DigestParseErrorReason.MissingParameter, value.Length);
            return false;
        }

        challenge = new DigestChallenge
        {
            Realm = realm,
            Nonce = nonce,
            Opaque = opaque,
            Domain = domain,
            AlgorithmToken = algorithm,
            QopOptions = qop,
            Stale = stale,
            Userhash = userhash,
            Charset = charset,
            OtherParameters = others,
        };
        return true;
    }

    /// <summary>Parses a header value given as text.</summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out DigestChallenge? challenge, out DigestParseError error) =>
        TryParse(Encoding.UTF8.GetBytes(value ?? string.Empty), out challenge, out error);

    /// <summary>The header value, e.g. <c>Digest realm="example.com", nonce="...", algorithm=SHA-256, qop="auth"</c>.</summary>
    public string ToHeaderValue()
    {
        var builder = new StringBuilder(160);
        builder.Append("Digest");
        var first = true;
        AuthParamReader.AppendParameter(builder, ref first, "realm", Realm, quoted: true);
        if (Domain is not null)
        {
            AuthParamReader.AppendParameter(builder, ref first, "domain", Domain, quoted: true);
        }

        AuthParamReader.AppendParameter(builder, ref first, "nonce", Nonce, quoted: true);
        if (Opaque is not null)
        {
            AuthParamReader.AppendParameter(builder, ref first, "opaque", Opaque, quoted: true);
        }

        if (Stale)
        {
            AuthParamReader.AppendParameter(builder, ref first, "stale", "true", quoted: false);
        }

        if (AlgorithmToken is not null)
        {
            AuthParamReader.AppendParameter(builder, ref first, "algorithm", AlgorithmToken, quoted: false);
        }

        if (QopOptions.Count > 0)
        {
            AuthParamReader.AppendParameter(builder, ref first, "qop", string.Join(',', QopOptions), quoted: true);
        }

        if (Charset is not null)
        {
            AuthParamReader.AppendParameter(builder, ref first, "charset", Charset, quoted: false);
        }

        if (Userhash)
        {
            AuthParamReader.AppendParameter(builder, ref first, "userhash", "true", quoted: false);
        }

        foreach (var other in OtherParameters)
        {
            AuthParamReader.AppendParameter(builder, ref first, other.Name, other.Value, other.Quoted);
        }

        return builder.ToString();
    }

    /// <summary>Returns <see cref="ToHeaderValue"/>.</summary>
    public override string ToString() => ToHeaderValue();

    // qop-options = "qop" EQUAL LDQUOT qop-value *("," qop-value) RDQUOT (RFC 3261 §25.1).
    private static List<string> SplitList(string value)
    {
        var result = new List<string>(2);
        var span = value.AsSpan();
        while (!span.IsEmpty)
        {
            var comma = span.IndexOf(',');
            var item = (comma < 0 ? span : span[..comma]).Trim(" \t");
            if (!item.IsEmpty)
            {
                result.Add(item.ToString());
            }

            span = comma < 0 ? default : span[(comma + 1)..];
        }

        return result;
    }
}
