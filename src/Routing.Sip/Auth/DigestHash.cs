using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Routing.Sip.Auth;

/// <summary>The digest computations of RFC 7616 §3.4.1-§3.4.3 (and RFC 2069 / RFC 3261 §22.4 without qop).</summary>
public static class DigestHash
{
    private const int StackLimit = 512;

    /// <summary>
    /// The stored form of a password: HA1 = H(username ":" realm ":" password) with the hash of
    /// <paramref name="algorithm"/> (the "-sess" variants store the same value as their base algorithm).
    /// Computed once at provisioning; the verifier never sees the password.
    /// </summary>
    public static string ComputeHa1(DigestAlgorithm algorithm, string username, string realm, string password)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(realm);
        ArgumentNullException.ThrowIfNull(password);
        Span<char> hex = stackalloc char[64];
        var written = HashHex(DigestAlgorithms.BaseOf(algorithm), [username, realm, password], hex);
        return new string(hex[..written]);
    }

    /// <summary>
    /// The request-digest ("response") for a request, given the stored HA1 (lower-case hex).
    /// With <paramref name="qop"/> "auth": KD(H(A1), nonce:nc:cnonce:qop:H(A2)) (RFC 7616 §3.4.1);
    /// without qop: KD(H(A1), nonce:H(A2)) (RFC 2069, kept by RFC 3261 §22.4 for compatibility).
    /// A2 = method:digest-uri (RFC 7616 §3.4.3, qop=auth or none).
    /// </summary>
    public static string ComputeResponse(
        DigestAlgorithm algorithm,
        string ha1,
        string nonce,
        string? cnonce,
        string? nonceCount,
        string? qop,
        string method,
        string digestUri)
    {
        Span<char> hex = stackalloc char[64];
        var written = ComputeResponse(algorithm, ha1, nonce, cnonce, nonceCount, qop, method, digestUri, hex);
        return new string(hex[..written]);
    }

    internal static int ComputeResponse(
        DigestAlgorithm algorithm,
        string ha1,
        string nonce,
        string? cnonce,
        string? nonceCount,
        string? qop,
        string method,
        string digestUri,
        Span<char> destination)
    {
        ArgumentNullException.ThrowIfNull(ha1);
        ArgumentNullException.ThrowIfNull(nonce);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(digestUri);
        var hashAlgorithm = DigestAlgorithms.BaseOf(algorithm);
        var expectedHexLength = DigestAlgorithms.HashSize(algorithm) * 2;
        if (ha1.Length != expectedHexLength)
        {
            throw new ArgumentException("HA1 does not have the length of the algorithm's digest.", nameof(ha1));
        }

        var effectiveHa1 = ha1;
        if (DigestAlgorithms.IsSession(algorithm))
        {
            // RFC 7616 §3.4.2: A1 = H(user:realm:password):nonce:cnonce for the -sess variants.
            Span<char> sessionHex = stackalloc char[64];
            var n = HashHex(hashAlgorithm, [ha1, nonce, cnonce ?? string.Empty], sessionHex);
            effectiveHa1 = new string(sessionHex[..n]);
        }

        Span<char> ha2Hex = stackalloc char[64];
        var ha2Length = HashHex(hashAlgorithm, [method, digestUri], ha2Hex);
        var ha2 = new string(ha2Hex[..ha2Length]);

        return qop is null
            ? HashHex(hashAlgorithm, [effectiveHa1, nonce, ha2], destination)
            : HashHex(hashAlgorithm, [effectiveHa1, nonce, nonceCount ?? string.Empty, cnonce ?? string.Empty, qop, ha2], destination);
    }

    /// <summary>H(parts joined by ':') as lower-case hex; the UTF-8 buffer is wiped because it may hold a password.</summary>
    private static int HashHex(DigestAlgorithm algorithm, scoped ReadOnlySpan<string> parts, Span<char> hex)
    {
        var length = parts.Length - 1;
        foreach (var part in parts)
        {
            length += Encoding.UTF8.GetByteCount(part);
        }

        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var position = 0;
            for (var i = 0; i < parts.Length; i++)
            {
                if (i > 0)
                {
                    buffer[position++] = (byte)':';
                }

                position += Encoding.UTF8.GetBytes(parts[i], buffer[position..]);
            }

            Span<byte> digest = stackalloc byte[32];
            var digestLength = DigestAlgorithms.Hash(algorithm, buffer[..position], digest);
            Convert.TryToHexStringLower(digest[..digestLength], hex, out var written);
            return written;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer[..length]);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
