using System.Security.Cryptography;

namespace Routing.Sip.Message;

/// <summary>Tags and branches with the randomness RFC 3261 §19.3 asks for (at least 32 random bits).</summary>
public static class SipTag
{
    private static ReadOnlySpan<byte> Alphabet => "0123456789abcdefghijklmnopqrstuv"u8;

    /// <summary>Length of the tags <see cref="Fill"/> writes: 16 characters, 80 random bits.</summary>
    public const int Length = 16;

    // Bytes from the system's CSPRNG, drawn a block at a time per thread: one call into it per 32 tags rather than per
    // tag (at registrar rates the call itself, a locked DRBG in OpenSSL, cost about 1 % of the node's CPU). Each byte is
    // handed out once and wiped from the block as it is.
    private const int PoolSize = 512;

    [ThreadStatic]
    private static byte[]? t_pool;

    [ThreadStatic]
    private static int t_poolUsed;

    /// <summary>Fills <paramref name="destination"/> with random token characters (base32, lower case).</summary>
    public static void Fill(Span<byte> destination)
    {
        if (destination.Length > PoolSize)
        {
            Span<byte> large = new byte[destination.Length];
            RandomNumberGenerator.Fill(large);
            Encode(large, destination);
            return;
        }

        var pool = t_pool;
        if (pool is null || t_poolUsed + destination.Length > PoolSize)
        {
            pool = t_pool ??= new byte[PoolSize];
            RandomNumberGenerator.Fill(pool);
            t_poolUsed = 0;
        }

        var random = pool.AsSpan(t_poolUsed, destination.Length);
        t_poolUsed += destination.Length;
        Encode(random, destination);
        random.Clear();
    }

    private static void Encode(ReadOnlySpan<byte> random, Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = Alphabet[random[i] & 31];
        }
    }

    /// <summary>A new branch: the RFC 3261 §8.1.1.7 magic cookie followed by random characters.</summary>
    public static byte[] NewBranch()
    {
        var branch = new byte[7 + Length];
        "z9hG4bK"u8.CopyTo(branch);
        Fill(branch.AsSpan(7));
        return branch;
    }

    public static byte[] NewTag()
    {
        var tag = new byte[Length];
        Fill(tag);
        return tag;
    }
}
