using System.Buffers;
using Routing.Sip.Message;

namespace Routing.Edge.Proxy;

/// <summary>RFC 3261 §16.3: the checks a proxy makes before it routes a request, in the order the RFC gives them.</summary>
public static class ProxyRequestValidator
{
    /// <summary>
    /// Returns <see cref="ProxyRejection.None"/> when the request may be forwarded. Syntax (§16.3 step 1) was checked by
    /// the parser. For <see cref="ProxyRejection.BadExtension"/> the unsupported tags are written to
    /// <paramref name="unsupported"/> (the Unsupported header value).
    /// </summary>
    public static ProxyRejection Validate(SipMessage request, ProxySettings settings, IBufferWriter<byte> unsupported)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);

        // §16.3 step 2: a scheme the proxy cannot route.
        if (!SipMessageChecks.HasSupportedRequestUriScheme(request))
        {
            return ProxyRejection.UnsupportedUriScheme;
        }

        // §16.3 step 3: Max-Forwards 0 (a proxy could answer OPTIONS itself; the edge does that before the proxy).
        if (request.MaxForwards == 0)
        {
            return ProxyRejection.TooManyHops;
        }

        // §16.3 step 4: optional loop detection, done here because forking makes loops expensive.
        if (LoopDetection.IsLoop(request, settings))
        {
            return ProxyRejection.LoopDetected;
        }

        // §16.3 step 5: Proxy-Require.
        if (SipMessageChecks.TryFindUnsupportedOptions(request, SipHeaderId.ProxyRequire, settings.SupportedProxyOptions, unsupported))
        {
            return ProxyRejection.BadExtension;
        }

        return ProxyRejection.None;
    }
}

/// <summary>RFC 5393: Max-Breadth bounds the number of concurrent branches a request may fan out into, end to end.</summary>
public static class MaxBreadth
{
    /// <summary>
    /// Splits the received Max-Breadth (<paramref name="received"/>, null when absent: <paramref name="defaultValue"/>)
    /// over <paramref name="parallel"/> concurrent branches so that their sum does not exceed it (§5.3.3). False when
    /// there is not at least 1 for each (the proxy answers 440, §5.3.4). Sequential branches are not concurrent and
    /// may each reuse the whole value.
    /// </summary>
    public static bool TryAllocate(int? received, int defaultValue, int parallel, Span<int> perBranch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallel, 1);
        if (perBranch.Length < parallel)
        {
            throw new ArgumentException("one slot per branch", nameof(perBranch));
        }

        var total = received ?? defaultValue;
        if (total < parallel || (total == 0))
        {
            return false;
        }

        var share = total / parallel;
        var rest = total % parallel;
        for (var i = 0; i < parallel; i++)
        {
            perBranch[i] = share + (i < rest ? 1 : 0);
        }

        return true;
    }

    /// <summary>Reads Max-Breadth (RFC 5393 §4); null when absent or not a number.</summary>
    public static int? Read(SipMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.TryGetValue("Max-Breadth"u8, out var value))
        {
            return null;
        }

        return System.Buffers.Text.Utf8Parser.TryParse(value.Trim((byte)' '), out int n, out var used) && used == value.Trim((byte)' ').Length && n >= 0
            ? n
            : null;
    }
}
