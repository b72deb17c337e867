using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Routing.Sip.Auth;

/// <summary>
/// Digest credentials as carried by Authorization or Proxy-Authorization (RFC 3261 §22.2/§22.3, RFC 7616 §3.4).
/// Every field is optional at parse time so that the verifier can answer <see cref="DigestVerificationResult.MissingParameter"/>.
/// </summary>
public sealed record DigestCredentials
{
    /// <summary>username (or its hash when <see cref="Userhash"/>).</summary>
    public string? Username { get; init; }

    /// <summary>realm echoed from the challenge.</summary>
    public string? Realm { get; init; }

    /// <summary>nonce echoed from the challenge.</summary>
    public string? Nonce { get; init; }

    /// <summary>digest-uri: the Request-URI the client signed.</summary>
    public string? Uri { get; init; }

    /// <summary>request-digest, lower-case hex.</summary>
    public string? Response { get; init; }

    /// <summary>algorithm token as received, null when absent (MD5).</summary>
    public string? AlgorithmToken { get; init; }

    /// <summary>Client nonce; required with qop and with the -sess algorithms.</summary>
    public string? Cnonce { get; init; }

    /// <summary>opaque echoed from the challenge.</summary>
    public string? Opaque { get; init; }

    /// <summary>Selected qop ("auth"), null for RFC 2069 style credentials.</summary>
    public string? Qop { get; init; }

    /// <summary>nonce-count, 8 hex digits, e.g. "00000001".</summary>
    public string? NonceCount { get; init; }

    /// <summary>userhash=true (RFC 7616 §3.4.4).</summary>
    public bool Userhash { get; init; }

    /// <summary>Unknown parameters in received order.</summary>
    public IReadOnlyList<AuthParam> OtherParameters { get; init; } = [];

    /// <summary>The algorithm, MD5 when absent, null when not implemented here.</summary>
    public DigestAlgorithm? Algorithm =>
        AlgorithmToken is null ? DigestAlgorithm.Md5
        : DigestAlgorithms.TryParse(AlgorithmToken, out var algorithm) ? algorithm : null;

    /// <summary>Parses a header value (everything after "Authorization:"); never throws on bad input.</summary>
    public static bool TryParse(
        ReadOnlySpan<byte> value,
        [NotNullWhen(true)] out DigestCredentials? credentials,
        out DigestParseError error)
    {
        credentials = null;
        if (!AuthParamReader.TryRead(value, out var scheme, out var parameters, out error))
        {
            return false;
        }

        if (!scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase))
        {
            error = new DigestParseError(DigestParseErrorReason.UnsupportedScheme, 0);
            return false;
        }

        string? username = null, realm = null, nonce = null, uri = null, response = null;
        string? algorithm = null, cnonce = null, opaque = null, qop = null, nc = null;
        var userhash = false;
        var others = new List<AuthParam>();
        foreach (var parameter in parameters)
        {
            switch (parameter.Name)
            {
                case "username": username = parameter.Value; break;
                case "realm": realm = parameter.Value; break;
                case "nonce": nonce = parameter.Value; break;
                case "uri": uri = parameter.Value; break;
                case "response": response = parameter.Value; break;
                case "algorithm": algorithm = parameter.Value; break;
                case "cnonce": cnonce = parameter.Value; break;
                case "opaque": opaque = parameter.Value; break;
                case "qop": qop = parameter.Value; break;
                case "nc": nc = parameter.Value; break;
                case "userhash": userhash = parameter.Value.Equals("true", StringComparison.OrdinalIgnoreCase); break;
                default: others.Add(parameter); break;
            }
        }

        credentials = new DigestCredentials
        {
            Username = username,
            Realm = realm,
            Nonce = nonce,
            Uri = uri,
            Response = response,
            AlgorithmToken = algorithm,
            Cnonce = cnonce,
            Opaque = opaque,
            Qop = qop,
            NonceCount = nc,
            Userhash = userhash,
            OtherParameters = others,
        };
        return true;
    }

    /// <summary>Parses a header value given as text.</summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out DigestCredentials? credentials, out DigestParseError error) =>
        TryParse(Encoding.UTF8.GetBytes(value ?? string.Empty), out credentials, out error);

    /// <summary>
    /// Answers <paramref name="challenge"/> as a UAC would (RFC 3261 §22.2): qop=auth when offered, otherwise RFC 2069
    /// style. The caller supplies the client nonce and the nonce-count (first use of a nonce: 1).
    /// </summary>
    public static DigestCredentials Answer(
        DigestChallenge challenge,
        string username,
        string password,
        string method,
        string digestUri,
        string cnonce,
        uint nonceCount = 1)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var algorithm = challenge.Algorithm
            ?? throw new ArgumentException("The challenge names an algorithm that is not implemented.", nameof(challenge));
        var ha1 = DigestHash.ComputeHa1(algorithm, username, challenge.Realm, password);
        return AnswerWithHa1(challenge, username, ha1, method, digestUri, cnonce, nonceCount);
    }

    /// <summary>As <see cref="Answer"/>, from the stored HA1 instead of the password.</summary>
    public static DigestCredentials AnswerWithHa1(
        DigestChallenge challenge,
        string username,
        string ha1,
        string method,
        string digestUri,
        string cnonce,
        uint nonceCount = 1)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var algorithm = challenge.Algorithm
            ?? throw new ArgumentException("The challenge names an algorithm that is not implemented.", nameof(challenge));
        var qop = challenge.OffersQopAuth ? "auth" : null;
        var nc = qop is null ? null : nonceCount.ToString("x8");
        var sendCnonce = qop is not null || DigestAlgorithms.IsSession(algorithm);
        var response = DigestHash.ComputeResponse(
            algorithm, ha1, challenge.Nonce, sendCnonce ? cnonce : null, nc, qop, method, digestUri);
        return new DigestCredentials
        {
            Username = username,
            Realm = challenge.Realm,
            Nonce = challenge.Nonce,
            Uri = digestUri,
            Response = response,
            AlgorithmToken = challenge.AlgorithmToken,
            Cnonce = sendCnonce ? cnonce : null,
            Opaque = challenge.Opaque,
            Qop = qop,
            NonceCount = nc,
        };
    }

    /// <summary>The header value, e.g. <c>Digest username="alice", realm="...", ..., qop=auth, nc=00000001</c>.</summary>
    public string ToHeaderValue()
    {
        var builder = new StringBuilder(256);
        builder.Append("Digest");
        var first = true;
        Append(builder, ref first, "username", Username, quoted: true);
        Append(builder, ref first, "realm", Realm, quoted: true);
        Append(builder, ref first, "nonce", Nonce, quoted: true);
        Append(builder, ref first, "uri", Uri, quoted: true);
        Append(builder, ref first, "response", Response, quoted: true);
        Append(builder, ref first, "algorithm", AlgorithmToken, quoted: false);
        Append(builder, ref first, "cnonce", Cnonce, quoted: true);
        Append(builder, ref first, "opaque", Opaque, quoted: true);
        // RFC 3261 §25.1 message-qop and nonce-count are unquoted tokens.
        Append(builder, ref first, "qop", Qop, quoted: false);
        Append(builder, ref first, "nc", NonceCount, quoted: false);
        if (Userhash)
        {
            Append(builder, ref first, "userhash", "true", quoted: false);
        }

        foreach (var other in OtherParameters)
        {
            AuthParamReader.AppendParameter(builder, ref first, other.Name, other.Value, other.Quoted);
        }

        return builder.ToString();
    }

    /// <summary>Returns <see cref="ToHeaderValue"/>.</summary>
    public override string ToString() => ToHeaderValue();

    private static void Append(StringBuilder builder, ref bool first, string name, string? value, bool quoted)
    {
        if (value is not null)
        {
            AuthParamReader.AppendParameter(builder, ref first, name, value, quoted);
        }
    }
}
