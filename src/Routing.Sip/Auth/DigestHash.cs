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
        var joined = new Joined(stackalloc char[StackLimit]);
        try
        {
            joined.Append(username);
            joined.Append(realm);
            joined.Append(password);
            var written = joined.HashHex(DigestAlgorithms.BaseOf(algorithm), hex);
            return new string(hex[..written]);
        }
        finally
        {
            joined.Dispose();
        }
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
        ArgumentNullException.ThrowIfNull(ha1);
        Span<char> hex = stackalloc char[64];
        var written = ComputeResponse(algorithm, ha1, nonce, cnonce, nonceCount, qop, method, digestUri, hex);
        return new string(hex[..written]);
    }

    internal static int ComputeResponse(
        DigestAlgorithm algorithm,
        ReadOnlySpan<char> ha1,
        string nonce,
        string? cnonce,
        string? nonceCount,
        string? qop,
        string method,
        string digestUri,
        Span<char> destination)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(digestUri);
        var hashAlgorithm = DigestAlgorithms.BaseOf(algorithm);
        if (ha1.Length != DigestAlgorithms.HashSize(algorithm) * 2)
        {
            throw new ArgumentException("HA1 does not have the length of the algorithm's digest.", nameof(ha1));
        }

        Span<char> sessionHa1 = stackalloc char[64];
        Span<char> ha2 = stackalloc char[64];
        var joined = new Joined(stackalloc char[StackLimit]);
        try
        {
            scoped ReadOnlySpan<char> effectiveHa1 = ha1;
            if (DigestAlgorithms.IsSession(algorithm))
            {
                // RFC 7616 §3.4.2: A1 = H(user:realm:password):nonce:cnonce for the -sess variants.
                joined.Append(ha1);
                joined.Append(nonce);
                joined.Append(cnonce);
                effectiveHa1 = sessionHa1[..joined.HashHex(hashAlgorithm, sessionHa1)];
                joined.Clear();
            }

            joined.Append(method);
            joined.Append(digestUri);
            var ha2Length = joined.HashHex(hashAlgorithm, ha2);
            joined.Clear();

            joined.Append(effectiveHa1);
            joined.Append(nonce);
            if (qop is not null)
            {
                joined.Append(nonceCount);
                joined.Append(cnonce);
                joined.Append(qop);
            }

            joined.Append(ha2[..ha2Length]);
            return joined.HashHex(hashAlgorithm, destination);
        }
        finally
        {
            joined.Dispose();
        }
    }

    /// <summary>
    /// Parts joined by ':' in a stack or pooled buffer, hashed as UTF-8 into lower-case hex. Buffers are wiped because
    /// they may hold a password.
    /// </summary>
    private ref struct Joined
    {
        private Span<char> _chars;
        private char[]? _rented;
        private int _length;
        private bool _started;

        public Joined(Span<char> initial)
        {
            _chars = initial;
        }

        public void Append(scoped ReadOnlySpan<char> part)
        {
            var needed = _length + part.Length + (_started ? 1 : 0);
            if (needed > _chars.Length)
            {
                var larger = ArrayPool<char>.Shared.Rent(needed * 2);
                _chars[.._length].CopyTo(larger);
                Release();
                _rented = larger;
                _chars = larger;
            }

            if (_started)
            {
                _chars[_length++] = ':';
            }

            part.CopyTo(_chars[_length..]);
            _length += part.Length;
            _started = true;
        }

        public void Clear()
        {
            _chars[.._length].Clear();
            _length = 0;
            _started = false;
        }

        public readonly int HashHex(DigestAlgorithm algorithm, Span<char> hex)
        {
            var text = _chars[.._length];
            var byteCount = Encoding.UTF8.GetByteCount(text);
            byte[]? rented = null;
            var bytes = byteCount <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(byteCount));
            try
            {
                var written = Encoding.UTF8.GetBytes(text, bytes);
                Span<byte> digest = stackalloc byte[32];
                var digestLength = DigestAlgorithms.Hash(algorithm, bytes[..written], digest);
                Convert.TryToHexStringLower(digest[..digestLength], hex, out var hexLength);
                return hexLength;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes[..byteCount]);
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }

        public void Dispose()
        {
            Clear();
            Release();
        }

        private void Release()
        {
            if (_rented is not null)
            {
                _chars.Clear();
                ArrayPool<char>.Shared.Return(_rented);
                _rented = null;
            }
        }
    }
}
