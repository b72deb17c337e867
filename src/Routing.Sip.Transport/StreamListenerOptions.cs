using System.Net.Security;
using Routing.Sip.Message;

namespace Routing.Sip.Transport;

/// <summary>Limits and TLS settings of a TCP or TLS listener and of its outbound connections.</summary>
public sealed class StreamListenerOptions
{
    /// <summary>Parser limits; a connection whose unframed bytes exceed <see cref="SipParserOptions.MaxMessageSize"/> is closed.</summary>
    public SipParserOptions Parser { get; init; } = SipParserOptions.Default;

    /// <summary>Server TLS settings (certificate, client-certificate policy); null for plain TCP.</summary>
    public SslServerAuthenticationOptions? Tls { get; init; }

    /// <summary>Client TLS settings for outbound connections of a TLS listener (target host, validation, own certificate).</summary>
    public SslClientAuthenticationOptions? ClientTls { get; init; }

    /// <summary>
    /// A connection with no bytes received for this long is closed. Default 300 s: well above the 120 s the
    /// RFC 5626 §4.4.1 keep-alive interval recommends, so phones that keep their flow alive are never cut.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>How long a TLS handshake may take before the connection is dropped. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Open connections allowed from one remote IP address; further ones are closed at accept. Default 64.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 64;

    /// <summary>The clock for idle checks.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The flow table the connections are registered in; one per node so tokens resolve across listeners.</summary>
    public SipFlowTable? Flows { get; init; }
}
