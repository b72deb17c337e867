namespace Routing.Edge.Proxy;

/// <summary>Why the proxy refused a request before forwarding it; each maps to one final response.</summary>
public enum ProxyRejection : byte
{
    None = 0,

    /// <summary>416: the Request-URI scheme is not one the proxy can route (RFC 3261 §16.3 step 2).</summary>
    UnsupportedUriScheme,

    /// <summary>483: Max-Forwards is 0 (RFC 3261 §16.3 step 3).</summary>
    TooManyHops,

    /// <summary>482: the request already passed this proxy unchanged, a loop and not a spiral (RFC 3261 §16.3 step 4).</summary>
    LoopDetected,

    /// <summary>420: a Proxy-Require option tag the proxy does not support (RFC 3261 §16.3 step 5).</summary>
    BadExtension,

    /// <summary>440: Max-Breadth leaves no room for the parallel branches (RFC 5393 §5.3).</summary>
    MaxBreadthExceeded,

    /// <summary>407: a From in a served domain without valid credentials (RFC 3261 §22.3).</summary>
    ProxyAuthenticationRequired,

    /// <summary>404: no such user in a served domain (RFC 3261 §16.5, only when user hiding is off).</summary>
    NotFound,

    /// <summary>480: a known user without a reachable binding (RFC 3261 §21.4.18).</summary>
    TemporarilyUnavailable,

    /// <summary>481: an in-dialog request for a dialog the cluster does not know (RFC 3261 §12.2.2).</summary>
    NoSuchDialog,
}

/// <summary>Status codes for <see cref="ProxyRejection"/>.</summary>
public static class ProxyRejections
{
    public static int StatusCode(this ProxyRejection rejection) => rejection switch
    {
        ProxyRejection.UnsupportedUriScheme => 416,
        ProxyRejection.TooManyHops => 483,
        ProxyRejection.LoopDetected => 482,
        ProxyRejection.BadExtension => 420,
        ProxyRejection.MaxBreadthExceeded => 440,
        ProxyRejection.ProxyAuthenticationRequired => 407,
        ProxyRejection.NotFound => 404,
        ProxyRejection.TemporarilyUnavailable => 480,
        ProxyRejection.NoSuchDialog => 481,
        _ => throw new ArgumentOutOfRangeException(nameof(rejection), rejection, "not a rejection"),
    };
}
