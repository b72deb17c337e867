using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Routing.Sip.Auth;

/// <summary>Digest algorithms of RFC 7616 §3.2 as used by SIP (RFC 3261 §22.4, RFC 8760 §2).</summary>
public enum DigestAlgorithm : byte
{
    /// <summary>"MD5", the default when a challenge or credentials carry no algorithm (RFC 3261 §22.4).</summary>
    Md5,
    /// <summary>"MD5-sess".</summary>
    Md5Sess,
    /// <summary>"SHA-256".</summary>
    Sha256,
    /// <summary>"SHA-256-sess".</summary>
    Sha256Sess,
    /// <summary>"SHA-512-256" (SHA-512/256 of FIPS 180-4).</summary>
    Sha512T256,
    /// <summary>"SHA-512-256-sess".</summary>
    Sha512T256Sess,
}

/// <summary>Names, hash functions and sizes of the <see cref="DigestAlgorithm"/> values.</summary>
public static class DigestAlgorithms
{
    /// <summary>The wire token, e.g. "SHA-256-sess".</summary>
    public static string ToToken(DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Md5 => "MD5",
        DigestAlgorithm.Md5Sess => "MD5-sess",
        DigestAlgorithm.Sha256 => "SHA-256",
        DigestAlgorithm.Sha256Sess => "SHA-256-sess",
        DigestAlgorithm.Sha512T256 => "SHA-512-256",
        DigestAlgorithm.Sha512T256Sess => "SHA-512-256-sess",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Maps a wire token to an algorithm; tokens compare case-insensitively (RFC 7616 §3.3 lists them in mixed case, peers vary).</summary>
    public static bool TryParse(ReadOnlySpan<char> token, out DigestAlgorithm algorithm)
    {
        algorithm = DigestAlgorithm.Md5;
        if (token.Equals("MD5", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Md5;
        }
        else if (token.Equals("MD5-sess", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Md5Sess;
        }
        else if (token.Equals("SHA-256", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Sha256;
        }
        else if (token.Equals("SHA-256-sess", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Sha256Sess;
        }
        else if (token.Equals("SHA-512-256", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Sha512T256;
        }
        else if (token.Equals("SHA-512-256-sess", StringComparison.OrdinalIgnoreCase))
        {
            algorithm = DigestAlgorithm.Sha512T256Sess;
        }
        else
        {
            return false;
        }

        return true;
    }

    /// <summary>True for the "-sess" variants, whose A1 includes nonce and cnonce (RFC 7616 §3.4.2).</summary>
    public static bool IsSession(DigestAlgorithm algorithm) =>
        algorithm is DigestAlgorithm.Md5Sess or DigestAlgorithm.Sha256Sess or DigestAlgorithm.Sha512T256Sess;

    /// <summary>The algorithm without "-sess": the one whose hash function is used and under which HA1 is stored.</summary>
    public static DigestAlgorithm BaseOf(DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Md5Sess => DigestAlgorithm.Md5,
        DigestAlgorithm.Sha256Sess => DigestAlgorithm.Sha256,
        DigestAlgorithm.Sha512T256Sess => DigestAlgorithm.Sha512T256,
        _ => algorithm,
    };

    /// <summary>Digest length in bytes (the hex form is twice as long).</summary>
    public static int HashSize(DigestAlgorithm algorithm) => BaseOf(algorithm) == DigestAlgorithm.Md5 ? 16 : 32;

    /// <summary>Hashes <paramref name="data"/> with the algorithm's hash function; returns the digest length.</summary>
    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms",
        Justification = "MD5 is the RFC 3261 §22.4 default digest algorithm and is still what most SIP phones send.")]
    public static int Hash(DigestAlgorithm algorithm, ReadOnlySpan<byte> data, Span<byte> destination) =>
        BaseOf(algorithm) switch
        {
            DigestAlgorithm.Md5 => MD5.HashData(data, destination),
            DigestAlgorithm.Sha256 => SHA256.HashData(data, destination),
            _ => Sha512T256.HashData(data, destination),
        };
}
