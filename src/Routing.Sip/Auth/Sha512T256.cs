using System.Buffers.Binary;

namespace Routing.Sip.Auth;

/// <summary>
/// SHA-512/256 (FIPS 180-4 §5.3.6.2, §6.7). It is the SHA-512 compression function started from its own initial hash
/// value and cut to 256 bits; SHA-512 truncated to 32 bytes gives a different digest, so .NET's SHA512 cannot be reused.
/// RFC 7616 §3.2 and RFC 8760 name it "SHA-512-256".
/// </summary>
public static class Sha512T256
{
    /// <summary>Digest length in bytes.</summary>
    public const int HashSizeInBytes = 32;

    private const int BlockSize = 128;

    // FIPS 180-4 §5.3.6.2: H(0) for SHA-512/256.
    private static readonly ulong[] InitialHash =
    [
        0x22312194FC2BF72CUL, 0x9F555FA3C84C64C2UL, 0x2393B86B6F53B151UL, 0x963877195940EABDUL,
        0x96283EE2A88EFFE3UL, 0xBE5E1E2553863992UL, 0x2B0199FC2C85B8AAUL, 0x0EB72DDC81C52CA2UL,
    ];

    // FIPS 180-4 §4.2.3: first 64 bits of the fractional parts of the cube roots of the first 80 primes.
    private static readonly ulong[] K =
    [
        0x428A2F98D728AE22UL, 0x7137449123EF65CDUL, 0xB5C0FBCFEC4D3B2FUL, 0xE9B5DBA58189DBBCUL,
        0x3956C25BF348B538UL, 0x59F111F1B605D019UL, 0x923F82A4AF194F9BUL, 0xAB1C5ED5DA6D8118UL,
        0xD807AA98A3030242UL, 0x12835B0145706FBEUL, 0x243185BE4EE4B28CUL, 0x550C7DC3D5FFB4E2UL,
        0x72BE5D74F27B896FUL, 0x80DEB1FE3B1696B1UL, 0x9BDC06A725C71235UL, 0xC19BF174CF692694UL,
        0xE49B69C19EF14AD2UL, 0xEFBE4786384F25E3UL, 0x0FC19DC68B8CD5B5UL, 0x240CA1CC77AC9C65UL,
        0x2DE92C6F592B0275UL, 0x4A7484AA6EA6E483UL, 0x5CB0A9DCBD41FBD4UL, 0x76F988DA831153B5UL,
        0x983E5152EE66DFABUL, 0xA831C66D2DB43210UL, 0xB00327C898FB213FUL, 0xBF597FC7BEEF0EE4UL,
        0xC6E00BF33DA88FC2UL, 0xD5A79147930AA725UL, 0x06CA6351E003826FUL, 0x142929670A0E6E70UL,
        0x27B70A8546D22FFCUL, 0x2E1B21385C26C926UL, 0x4D2C6DFC5AC42AEDUL, 0x53380D139D95B3DFUL,
        0x650A73548BAF63DEUL, 0x766A0ABB3C77B2A8UL, 0x81C2C92E47EDAEE6UL, 0x92722C851482353BUL,
        0xA2BFE8A14CF10364UL, 0xA81A664BBC423001UL, 0xC24B8B70D0F89791UL, 0xC76C51A30654BE30UL,
        0xD192E819D6EF5218UL, 0xD69906245565A910UL, 0xF40E35855771202AUL, 0x106AA07032BBD1B8UL,
        0x19A4C116B8D2D0C8UL, 0x1E376C085141AB53UL, 0x2748774CDF8EEB99UL, 0x34B0BCB5E19B48A8UL,
        0x391C0CB3C5C95A63UL, 0x4ED8AA4AE3418ACBUL, 0x5B9CCA4F7763E373UL, 0x682E6FF3D6B2B8A3UL,
        0x748F82EE5DEFB2FCUL, 0x78A5636F43172F60UL, 0x84C87814A1F0AB72UL, 0x8CC702081A6439ECUL,
        0x90BEFFFA23631E28UL, 0xA4506CEBDE82BDE9UL, 0xBEF9A3F7B2C67915UL, 0xC67178F2E372532BUL,
        0xCA273ECEEA26619CUL, 0xD186B8C721C0C207UL, 0xEADA7DD6CDE0EB1EUL, 0xF57D4F7FEE6ED178UL,
        0x06F067AA72176FBAUL, 0x0A637DC5A2C898A6UL, 0x113F9804BEF90DAEUL, 0x1B710B35131C471BUL,
        0x28DB77F523047D84UL, 0x32CAAB7B40C72493UL, 0x3C9EBE0A15C9BEBCUL, 0x431D67C49C100D4CUL,
        0x4CC5D4BECB3E42B6UL, 0x597F299CFC657E2AUL, 0x5FCB6FAB3AD6FAECUL, 0x6C44198C4A475817UL,
    ];

    /// <summary>Hashes <paramref name="source"/> into the first 32 bytes of <paramref name="destination"/>.</summary>
    public static int HashData(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < HashSizeInBytes)
        {
            throw new ArgumentException("The destination must hold 32 bytes.", nameof(destination));
        }

        Span<ulong> state = stackalloc ulong[8];
        InitialHash.CopyTo(state);
        Span<ulong> w = stackalloc ulong[80];

        var full = source.Length - (source.Length % BlockSize);
        for (var i = 0; i < full; i += BlockSize)
        {
            Compress(state, source.Slice(i, BlockSize), w);
        }

        // FIPS 180-4 §5.1.2: a 1 bit, zeros, then the message length in bits as a 128-bit big-endian integer.
        Span<byte> tail = stackalloc byte[BlockSize * 2];
        tail.Clear();
        var rest = source[full..];
        rest.CopyTo(tail);
        tail[rest.Length] = 0x80;
        var tailLength = rest.Length + 1 + 16 <= BlockSize ? BlockSize : BlockSize * 2;
        var bitLength = (UInt128)(ulong)source.Length * 8;
        BinaryPrimitives.WriteUInt128BigEndian(tail.Slice(tailLength - 16, 16), bitLength);
        for (var i = 0; i < tailLength; i += BlockSize)
        {
            Compress(state, tail.Slice(i, BlockSize), w);
        }

        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(i * 8, 8), state[i]);
        }

        return HashSizeInBytes;
    }

    /// <summary>Hashes <paramref name="source"/> and returns the 32-byte digest.</summary>
    public static byte[] HashData(ReadOnlySpan<byte> source)
    {
        var result = new byte[HashSizeInBytes];
        HashData(source, result);
        return result;
    }

    // FIPS 180-4 §6.4.2 (the SHA-512 hash computation, shared by SHA-512/t).
    private static void Compress(Span<ulong> state, ReadOnlySpan<byte> block, Span<ulong> w)
    {
        for (var t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt64BigEndian(block.Slice(t * 8, 8));
        }

        for (var t = 16; t < 80; t++)
        {
            var s0 = ulong.RotateRight(w[t - 15], 1) ^ ulong.RotateRight(w[t - 15], 8) ^ (w[t - 15] >> 7);
            var s1 = ulong.RotateRight(w[t - 2], 19) ^ ulong.RotateRight(w[t - 2], 61) ^ (w[t - 2] >> 6);
            w[t] = unchecked(w[t - 16] + s0 + w[t - 7] + s1);
        }

        ulong a = state[0], b = state[1], c = state[2], d = state[3];
        ulong e = state[4], f = state[5], g = state[6], h = state[7];
        for (var t = 0; t < 80; t++)
        {
            var bigSigma1 = ulong.RotateRight(e, 14) ^ ulong.RotateRight(e, 18) ^ ulong.RotateRight(e, 41);
            var ch = (e & f) ^ (~e & g);
            var t1 = unchecked(h + bigSigma1 + ch + K[t] + w[t]);
            var bigSigma0 = ulong.RotateRight(a, 28) ^ ulong.RotateRight(a, 34) ^ ulong.RotateRight(a, 39);
            var maj = (a & b) ^ (a & c) ^ (b & c);
            var t2 = unchecked(bigSigma0 + maj);
            h = g;
            g = f;
            f = e;
            e = unchecked(d + t1);
            d = c;
            c = b;
            b = a;
            a = unchecked(t1 + t2);
        }

        unchecked
        {
            state[0] += a;
            state[1] += b;
            state[2] += c;
            state[3] += d;
            state[4] += e;
            state[5] += f;
            state[6] += g;
            state[7] += h;
        }
    }
}
