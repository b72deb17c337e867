using System.Security.Cryptography;

namespace Routing.Sip.Message;

/// <summary>Tags and branches with the randomness RFC 3261 §19.3 asks for (at least 32 random bits).</summary>
public static class SipTag
{
    private static ReadOnlySpan<byte> Alphabet => "0123456789abcdefghijklmnopqrstuv"u8;

    /// <summary>Length of the tags <see cref="Fill"/> writes: 16 characters, 80 random bits.</summary>
    public const int Length = 16;

    /// <summary>Fills <paramref name="destination"/> with random token characters (base32, lower case).</summary>
    public static void Fill(Span<byte> destination)
    {
        Span<byte> random = stackalloc byte[destination.Length];
        RandomNumberGenerator.Fill(random);
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
