using System.Buffers.Text;
using Routing.Sip.Headers;
using Routing.Sip.Message;

namespace Routing.Edge.Proxy;

/// <summary>
/// RFC 3261 §16.6 step 8 and §16.3 step 4: the branch of every Via this proxy pushes carries a hash of the request
/// fields that decide routing, so a request that comes back unchanged (a loop) is told apart from one that comes back
/// with a new Request-URI or Route (a spiral, which is legal). Layout: <c>z9hG4bK</c> + <c>rc</c> + 16 hex digits of
/// the hash + <c>.</c> + a per-branch suffix.
/// </summary>
public static class LoopDetection
{
    /// <summary>Marks branches this proxy created (after the RFC 3261 magic cookie).</summary>
    public static ReadOnlySpan<byte> BranchPrefix => "z9hG4bKrc"u8;

    public const int HashHexLength = 16;

    /// <summary>
    /// FNV-1a over To tag, From tag, Call-ID, CSeq number, Request-URI, Proxy-Require, Proxy-Authorization and Route
    /// (§16.6 step 8 lists these; the top Via is left out because the one below ours was topmost when we forwarded).
    /// </summary>
    public static ulong RequestHash(SipMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var h = 14695981039346656037UL;
        h = Mix(h, request.ToTag);
        h = Mix(h, request.FromTag);
        h = Mix(h, request.CallId);
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(request.CSeqNumber, digits, out var written);
        h = Mix(h, digits[..written]);
        h = Mix(h, request.RequestUri);
        foreach (var id in (ReadOnlySpan<SipHeaderId>)[SipHeaderId.ProxyRequire, SipHeaderId.ProxyAuthorization, SipHeaderId.Route])
        {
            foreach (var range in request.EnumerateValues(id))
            {
                h = Mix(h, request.Slice(range));
            }
        }

        return h;
    }

    /// <summary>Writes a branch for a new client transaction: prefix, the request hash, '.', <paramref name="suffix"/>.</summary>
    public static string Branch(ulong requestHash, ReadOnlySpan<char> suffix) =>
        string.Concat("z9hG4bKrc", requestHash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), ".", suffix);

    /// <summary>
    /// The branch for a request forwarded statelessly (an ACK for a 2xx): the same for every retransmission of the
    /// received request, on every member, and different across transactions (RFC 3261 §16.11). The suffix hashes the
    /// received top Via's branch when it carries the magic cookie, or else the whole top Via (the other fields §16.11
    /// lists are already in <see cref="RequestHash"/>). A fresh random branch per copy would make a retransmitted ACK
    /// look like a second, different ACK to the callee.
    /// </summary>
    public static string StatelessBranch(SipMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var branch = request.TopViaBranch;
        var h = 14695981039346656037UL;
        if (branch.StartsWith("z9hG4bK"u8))
        {
            h = Mix(h, branch);
        }
        else
        {
            foreach (var range in request.EnumerateValues(SipHeaderId.Via))
            {
                h = Mix(h, request.Slice(range));
                break;
            }
        }

        return Branch(RequestHash(request), "s" + h.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// True when a Via sent by this proxy carries the hash of the request as it is now: the request went around and
    /// came back unchanged (§16.3 step 4). A Via of ours with another hash is a spiral.
    /// </summary>
    public static bool IsLoop(SipMessage request, ProxySettings settings)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        ulong? hash = null;
        foreach (var range in request.EnumerateValues(SipHeaderId.Via))
        {
            if (!ViaHeader.TryParse(request.GetMemory(range), out var via, out _) || !settings.IsLocalHost(via.Host))
            {
                continue;
            }

            var branch = via.Branch;
            if (branch.Length < BranchPrefix.Length + HashHexLength || !branch.StartsWith(BranchPrefix))
            {
                continue;
            }

            hash ??= RequestHash(request);
            var hex = branch.Slice(BranchPrefix.Length, HashHexLength);
            if (Utf8Parser.TryParse(hex, out ulong seen, out var consumed, 'x') && consumed == HashHexLength && seen == hash.Value)
            {
                return true;
            }
        }

        return false;
    }

    private static ulong Mix(ulong h, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            h = (h ^ b) * 1099511628211UL;
        }

        // A separator so that ("ab","c") and ("a","bc") differ.
        return (h ^ 0xff) * 1099511628211UL;
    }
}
