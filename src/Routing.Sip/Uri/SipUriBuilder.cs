using System.Text;
using Routing.Sip.Syntax;

namespace Routing.Sip.Uri;

/// <summary>
/// Builds a sip:/sips: URI from unescaped parts and serialises it with the escaping RFC 3261 §19.1.2 requires
/// (characters outside a component's set are escaped). Meant for building requests, not for the receive path.
/// </summary>
public sealed class SipUriBuilder
{
    private readonly List<KeyValuePair<string, string?>> _parameters = [];
    private readonly List<KeyValuePair<string, string>> _headers = [];

    /// <summary>Creates a builder for <paramref name="host"/> with the given scheme (sip or sips).</summary>
    public SipUriBuilder(string host, SipUriScheme scheme = SipUriScheme.Sip)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        if (scheme is not (SipUriScheme.Sip or SipUriScheme.Sips))
        {
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Only sip and sips URIs are built here.");
        }

        Host = host;
        Scheme = scheme;
    }

    /// <summary>sip or sips.</summary>
    public SipUriScheme Scheme { get; set; }

    /// <summary>The user, unescaped (null for none).</summary>
    public string? User { get; set; }

    /// <summary>The password, unescaped (null for none).</summary>
    public string? Password { get; set; }

    /// <summary>Hostname, IPv4 address, or IPv6 address with or without brackets.</summary>
    public string Host { get; set; }

    /// <summary>Explicit port (null for none).</summary>
    public int? Port { get; set; }

    /// <summary>Adds a uri-parameter; <paramref name="value"/> null writes a flag such as ";lr".</summary>
    public SipUriBuilder WithParameter(string name, string? value = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _parameters.Add(new(name, value));
        return this;
    }

    /// <summary>Adds a ?header (name and value unescaped).</summary>
    public SipUriBuilder WithHeader(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        _headers.Add(new(name, value));
        return this;
    }

    /// <summary>The serialised URI.</summary>
    public byte[] ToBytes()
    {
        var sb = new StringBuilder();
        sb.Append(Scheme == SipUriScheme.Sips ? "sips:" : "sip:");
        if (User is not null)
        {
            sb.Append(Escape(User, SipCharacters.UserChars));
            if (Password is not null)
            {
                sb.Append(':').Append(Escape(Password, SipCharacters.PasswordChars));
            }

            sb.Append('@');
        }

        var host = Host;
        sb.Append(host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host);
        if (Port is { } port)
        {
            sb.Append(':').Append(port);
        }

        foreach (var (name, value) in _parameters)
        {
            sb.Append(';').Append(Escape(name, SipCharacters.ParamChars));
            if (value is not null)
            {
                sb.Append('=').Append(Escape(value, SipCharacters.ParamChars));
            }
        }

        for (var i = 0; i < _headers.Count; i++)
        {
            sb.Append(i == 0 ? '?' : '&')
                .Append(Escape(_headers[i].Key, SipCharacters.HeaderChars))
                .Append('=')
                .Append(Escape(_headers[i].Value, SipCharacters.HeaderChars));
        }

        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>Serialises and parses the result; throws <see cref="FormatException"/> when a part is invalid (e.g. the host).</summary>
    public SipUri Build()
    {
        var bytes = ToBytes();
        if (!SipUri.TryParse(bytes, out var uri, out var rejection))
        {
            throw new FormatException($"The built URI is invalid ({rejection.Reason} at offset {rejection.Offset}).");
        }

        return uri;
    }

    private static string Escape(string text, System.Buffers.SearchValues<byte> allowed)
    {
        var raw = Encoding.UTF8.GetBytes(text);
        var buffer = new byte[PercentEncoding.GetEncodedLength(raw, allowed)];
        var written = PercentEncoding.Encode(raw, allowed, buffer);
        return Encoding.ASCII.GetString(buffer, 0, written);
    }
}
