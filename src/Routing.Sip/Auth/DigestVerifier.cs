using System.Security.Cryptography;

namespace Routing.Sip.Auth;

/// <summary>Outcome of <see cref="DigestVerifier.Verify"/>.</summary>
public enum DigestVerificationResult : byte
{
    /// <summary>Credentials are right and the nonce is fresh.</summary>
    Ok,
    /// <summary>Right response for an authentic but expired nonce: challenge again with stale=true (RFC 7616 §3.3).</summary>
    Stale,
    /// <summary>The response does not match (wrong password, or tampered fields).</summary>
    WrongResponse,
    /// <summary>The algorithm token names nothing we implement.</summary>
    UnknownAlgorithm,
    /// <summary>A known algorithm that this verifier was not configured to accept, or for which the caller has no HA1.</summary>
    AlgorithmNotAllowed,
    /// <summary>The nonce is not one we issued (garbled, forged, other realm or client, or from the future).</summary>
    BadNonce,
    /// <summary>username, realm, nonce, uri or response missing; or cnonce/nc missing where qop or -sess needs them.</summary>
    MissingParameter,
    /// <summary>The realm is not the one we challenge for.</summary>
    RealmMismatch,
    /// <summary>The digest-uri differs from the Request-URI (RFC 7616 §3.4.6).</summary>
    UriMismatch,
    /// <summary>A qop other than "auth" (auth-int is not supported).</summary>
    UnsupportedQop,
    /// <summary>No qop although the verifier requires qop=auth.</summary>
    QopRequired,
    /// <summary>nc is not 8 hex digits (RFC 7616 §3.4).</summary>
    BadNonceCount,
}

/// <summary>Options of <see cref="DigestVerifier"/>.</summary>
public sealed class DigestVerifierOptions
{
    /// <summary>Algorithms accepted in credentials. Default: all six.</summary>
    public IReadOnlyList<DigestAlgorithm> AllowedAlgorithms { get; init; } =
    [
        DigestAlgorithm.Md5, DigestAlgorithm.Md5Sess, DigestAlgorithm.Sha256, DigestAlgorithm.Sha256Sess,
        DigestAlgorithm.Sha512T256, DigestAlgorithm.Sha512T256Sess,
    ];

    /// <summary>Accept credentials without qop (RFC 2069 compatibility, RFC 3261 §22.4). Default true.</summary>
    public bool AllowMissingQop { get; init; } = true;
}

/// <summary>
/// Verifies Digest credentials against the stored HA1 and a stateless nonce (RFC 3261 §22.4, RFC 7616 §3.4, RFC 8760).
/// Pure: time and client address come in as arguments. Nonce-count replay tracking is left to the caller.
/// </summary>
public sealed class DigestVerifier
{
    private readonly DigestNonceService _nonces;
    private readonly DigestVerifierOptions _options;

    /// <summary>Creates a verifier over the cluster's nonce service.</summary>
    public DigestVerifier(DigestNonceService nonces, DigestVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(nonces);
        _nonces = nonces;
        _options = options ?? new DigestVerifierOptions();
    }

    /// <summary>
    /// Checks everything but the response (fields, algorithm, realm, uri, qop, nc); returns <see cref="DigestVerificationResult.Ok"/>
    /// when the caller should look up HA1 for (username, realm, <paramref name="algorithm"/>'s base) and call <see cref="Verify"/>.
    /// </summary>
    public DigestVerificationResult Precheck(
        DigestCredentials credentials,
        string realm,
        string? requestUri,
        out DigestAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        algorithm = DigestAlgorithm.Md5;
        if (credentials.Username is null || credentials.Realm is null || credentials.Nonce is null
            || credentials.Uri is null || credentials.Response is null)
        {
            return DigestVerificationResult.MissingParameter;
        }

        if (credentials.Algorithm is not { } parsed)
        {
            return DigestVerificationResult.UnknownAlgorithm;
        }

        algorithm = parsed;
        if (!Contains(_options.AllowedAlgorithms, parsed))
        {
            return DigestVerificationResult.AlgorithmNotAllowed;
        }

        // RFC 3261 §22.4 / RFC 7616 §3.3: realm is compared as a string.
        if (!string.Equals(credentials.Realm, realm, StringComparison.Ordinal))
        {
            return DigestVerificationResult.RealmMismatch;
        }

        if (requestUri is not null && !string.Equals(credentials.Uri, requestUri, StringComparison.Ordinal))
        {
            return DigestVerificationResult.UriMismatch;
        }

        if (credentials.Qop is null)
        {
            if (!_options.AllowMissingQop)
            {
                return DigestVerificationResult.QopRequired;
            }

            // RFC 2617 §3.2.2.2: the -sess variants need a cnonce even without qop.
            if (DigestAlgorithms.IsSession(parsed) && credentials.Cnonce is null)
            {
                return DigestVerificationResult.MissingParameter;
            }
        }
        else
        {
            if (!credentials.Qop.Equals("auth", StringComparison.OrdinalIgnoreCase))
            {
                return DigestVerificationResult.UnsupportedQop;
            }

            if (credentials.Cnonce is null || credentials.NonceCount is null)
            {
                return DigestVerificationResult.MissingParameter;
            }

            if (!IsNonceCount(credentials.NonceCount))
            {
                return DigestVerificationResult.BadNonceCount;
            }
        }

        return DigestVerificationResult.Ok;
    }

    /// <summary>
    /// Full verification. <paramref name="ha1"/> is the stored H(username:realm:password) for the credentials' algorithm
    /// (hex). <paramref name="requestUri"/> null skips the uri check (e.g. when the caller compares SIP URIs itself).
    /// When <paramref name="ha1"/> is not a digest of the credentials' algorithm (only an MD5 HA1 is stored but the client
    /// chose SHA-256, say) the answer is <see cref="DigestVerificationResult.AlgorithmNotAllowed"/>, never an exception:
    /// the algorithm comes from the network.
    /// </summary>
    public DigestVerificationResult Verify(
        DigestCredentials credentials,
        string method,
        string realm,
        string? requestUri,
        string ha1,
        DateTimeOffset now,
        ReadOnlySpan<byte> clientAddress = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(ha1);
        var pre = Precheck(credentials, realm, requestUri, out var algorithm);
        if (pre != DigestVerificationResult.Ok)
        {
            return pre;
        }

        var hexLength = DigestAlgorithms.HashSize(algorithm) * 2;
        if (ha1.Length != hexLength)
        {
            return DigestVerificationResult.AlgorithmNotAllowed;
        }

        var nonceStatus = _nonces.Check(credentials.Nonce, now, realm, clientAddress);
        if (nonceStatus == DigestNonceStatus.Invalid)
        {
            return DigestVerificationResult.BadNonce;
        }

        if (credentials.Response!.Length != hexLength)
        {
            return DigestVerificationResult.WrongResponse;
        }

        // Stored HA1 may have been written in upper-case hex; the response is computed over lower-case hex.
        Span<char> storedHa1 = stackalloc char[64];
        var ha1Length = ha1.AsSpan().ToLowerInvariant(storedHa1);

        Span<char> expected = stackalloc char[64];
        var written = DigestHash.ComputeResponse(
            algorithm, storedHa1[..ha1Length], credentials.Nonce!, credentials.Cnonce, credentials.NonceCount,
            credentials.Qop, method, credentials.Uri!, expected);

        // Peers differ in hex case; compare lower-cased, in constant time.
        Span<char> received = stackalloc char[64];
        credentials.Response.AsSpan().ToLowerInvariant(received);
        var match = CryptographicOperations.FixedTimeEquals(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected[..written]),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(received[..hexLength]));
        if (!match)
        {
            return DigestVerificationResult.WrongResponse;
        }

        // RFC 2617 §3.2.1: stale only when the digest itself is valid for the old nonce.
        return nonceStatus == DigestNonceStatus.Expired ? DigestVerificationResult.Stale : DigestVerificationResult.Ok;
    }

    private static bool Contains(IReadOnlyList<DigestAlgorithm> list, DigestAlgorithm algorithm)
    {
        // Indexed, so that no interface enumerator is allocated per request.
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == algorithm)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNonceCount(string value)
    {
        if (value.Length != 8)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
