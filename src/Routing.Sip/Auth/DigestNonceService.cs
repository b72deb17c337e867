using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Routing.Sip.Auth;

/// <summary>Options of <see cref="DigestNonceService"/>.</summary>
public sealed class DigestNonceOptions
{
    /// <summary>Cluster-wide secret that signs new nonces; at least 32 bytes. No default: must be configured.</summary>
    public required IReadOnlyList<byte> Secret { get; init; }

    /// <summary>Earlier secrets still accepted for verification during a rotation. Default: none.</summary>
    public IReadOnlyList<IReadOnlyList<byte>> PreviousSecrets { get; init; } = [];

    /// <summary>How long a nonce stays fresh; older authentic nonces verify as stale. Default 300 s (kamailio's nonce_expire).</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>How far in the future a timestamp may lie (clock skew between cluster nodes). Default 5 s.</summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>What <see cref="DigestNonceService.Check"/> found.</summary>
public enum DigestNonceStatus : byte
{
    /// <summary>Signed by us for this realm (and client address) and still fresh.</summary>
    Valid,
    /// <summary>Signed by us but older than the lifetime: answer with stale=true (RFC 7616 §3.3).</summary>
    Expired,
    /// <summary>Not ours: wrong length, bad encoding, wrong MAC, other realm or address, or from the future.</summary>
    Invalid,
}

/// <summary>
/// Stateless nonces (RFC 7616 §3.3 suggests a timestamp plus a keyed hash): any node of the cluster can verify a nonce
/// issued by another without shared state. Layout before base64url (RFC 4648 §5, no padding):
/// <c>timestamp (8 bytes, Unix milliseconds, big-endian) || HMAC-SHA256(secret, timestamp || len(realm) as 2 bytes ||
/// realm UTF-8 || client address)</c>. The realm length prefix keeps realm and address from sliding into each other.
/// </summary>
public sealed class DigestNonceService
{
    private const int TimestampSize = 8;
    private const int MacSize = 32;
    private const int RawSize = TimestampSize + MacSize;

    /// <summary>Length of an issued nonce in characters.</summary>
    public const int NonceLength = 54;

    private readonly byte[] _secret;
    private readonly byte[][] _previous;
    private readonly long _lifetimeMs;
    private readonly long _skewMs;

    /// <summary>Creates the service; the secret must have at least 32 bytes.</summary>
    public DigestNonceService(DigestNonceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Secret);
        if (options.Secret.Count < 32)
        {
            throw new ArgumentException("DigestNonceOptions.Secret must have at least 32 bytes.", nameof(options));
        }

        if (options.Lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("DigestNonceOptions.Lifetime must be positive.", nameof(options));
        }

        _secret = [.. options.Secret];
        _previous = new byte[options.PreviousSecrets.Count][];
        for (var i = 0; i < _previous.Length; i++)
        {
            _previous[i] = [.. options.PreviousSecrets[i]];
        }

        _lifetimeMs = (long)options.Lifetime.TotalMilliseconds;
        _skewMs = (long)options.MaxClockSkew.TotalMilliseconds;
    }

    /// <summary>Issues a nonce for <paramref name="realm"/> at <paramref name="now"/>, optionally bound to the client's address bytes.</summary>
    public string Issue(DateTimeOffset now, string realm, ReadOnlySpan<byte> clientAddress = default)
    {
        ArgumentNullException.ThrowIfNull(realm);
        Span<byte> raw = stackalloc byte[RawSize];
        BinaryPrimitives.WriteInt64BigEndian(raw, now.ToUnixTimeMilliseconds());
        Sign(_secret, raw[..TimestampSize], realm, clientAddress, raw[TimestampSize..]);
        return Base64Url.EncodeToString(raw);
    }

    /// <summary>Checks a nonce returned by a client; MACs are compared in constant time.</summary>
    public DigestNonceStatus Check(ReadOnlySpan<char> nonce, DateTimeOffset now, string realm, ReadOnlySpan<byte> clientAddress = default)
    {
        ArgumentNullException.ThrowIfNull(realm);
        if (nonce.Length != NonceLength)
        {
            return DigestNonceStatus.Invalid;
        }

        Span<byte> raw = stackalloc byte[RawSize];
        if (Base64Url.DecodeFromChars(nonce, raw, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != nonce.Length || written != RawSize)
        {
            return DigestNonceStatus.Invalid;
        }

        var timestamp = raw[..TimestampSize];
        var mac = raw[TimestampSize..];
        Span<byte> expected = stackalloc byte[MacSize];
        var authentic = false;
        Sign(_secret, timestamp, realm, clientAddress, expected);
        authentic |= CryptographicOperations.FixedTimeEquals(mac, expected);
        foreach (var previous in _previous)
        {
            Sign(previous, timestamp, realm, clientAddress, expected);
            authentic |= CryptographicOperations.FixedTimeEquals(mac, expected);
        }

        if (!authentic)
        {
            return DigestNonceStatus.Invalid;
        }

        var issuedMs = BinaryPrimitives.ReadInt64BigEndian(timestamp);
        var nowMs = now.ToUnixTimeMilliseconds();
        if (issuedMs > nowMs + _skewMs)
        {
            return DigestNonceStatus.Invalid;
        }

        return nowMs - issuedMs > _lifetimeMs ? DigestNonceStatus.Expired : DigestNonceStatus.Valid;
    }

    private static void Sign(byte[] secret, ReadOnlySpan<byte> timestamp, string realm, ReadOnlySpan<byte> clientAddress, Span<byte> mac)
    {
        var realmLength = Encoding.UTF8.GetByteCount(realm);
        var length = TimestampSize + 2 + realmLength + clientAddress.Length;
        var buffer = length <= 512 ? stackalloc byte[length] : new byte[length];
        timestamp.CopyTo(buffer);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[TimestampSize..], (ushort)Math.Min(realmLength, ushort.MaxValue));
        Encoding.UTF8.GetBytes(realm, buffer[(TimestampSize + 2)..]);
        clientAddress.CopyTo(buffer[(TimestampSize + 2 + realmLength)..]);
        HMACSHA256.HashData(secret, buffer, mac);
    }
}
