using System.Globalization;
using System.Net;

namespace Routing.Node.Configuration;

/// <summary>Parsers for single setting values, shared by the flag and the HOCON readers. Each returns null on success.</summary>
public static class OptionValues
{
    public const string SipListenAccepted = "expected udp:IP:PORT or tcp:IP:PORT or tls:IP:PORT (e.g. udp:127.0.0.1:5060, tcp:[::1]:5060, tls:127.0.0.1:5061), port 1-65535";
    public const string ClientCertificateAccepted = "expected none, optional or required";
    public const string AdminAccepted = "expected http://IP:PORT (e.g. http://127.0.0.1:9110), port 1-65535";
    public const string HostPortAccepted = "expected HOST:PORT (e.g. 127.0.0.1:4053)";
    public const string JournalAccepted = "expected sqlite or postgres";
    public const string AuthAccepted = "expected digest or none";
    public const string LogFormatAccepted = "expected text or json";
    public const string LogLevelAccepted = "expected verbose, debug, information, warning, error or fatal";
    public static readonly string RolesAccepted = "expected a comma-separated list of " + string.Join(", ", MembershipOptions.KnownRoles);

    public static string? TryParseSipListen(string value, out SipListenEndpoint? endpoint)
    {
        endpoint = null;
        SipListenTransport transport;
        if (value.StartsWith("udp:", StringComparison.OrdinalIgnoreCase))
        {
            transport = SipListenTransport.Udp;
        }
        else if (value.StartsWith("tcp:", StringComparison.OrdinalIgnoreCase))
        {
            transport = SipListenTransport.Tcp;
        }
        else if (value.StartsWith("tls:", StringComparison.OrdinalIgnoreCase))
        {
            transport = SipListenTransport.Tls;
        }
        else
        {
            return $"'{value}' is not a listener; {SipListenAccepted}";
        }

        if (!TryParseIpEndPoint(value.AsSpan(4), minPort: 1, out var ep))
        {
            return $"'{value}' is not a listener; {SipListenAccepted}";
        }

        endpoint = new SipListenEndpoint(transport, ep);
        return null;
    }

    public static string? TryParseClientCertificate(string value, out Routing.Sip.Transport.ClientCertificateMode mode)
    {
        mode = Routing.Sip.Transport.ClientCertificateMode.None;
        switch (value.ToLowerInvariant())
        {
            case "none":
                return null;
            case "optional":
                mode = Routing.Sip.Transport.ClientCertificateMode.Optional;
                return null;
            case "required":
                mode = Routing.Sip.Transport.ClientCertificateMode.Required;
                return null;
            default:
                return $"'{value}': {ClientCertificateAccepted}";
        }
    }

    public static string? TryParseAdminUrl(string value, out IPEndPoint? endpoint)
    {
        endpoint = null;
        const string scheme = "http://";
        if (!value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return $"'{value}' is not an admin address; {AdminAccepted}";
        }

        var rest = value.AsSpan(scheme.Length).TrimEnd('/');
        if (rest.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            rest = ("127.0.0.1" + rest[9..].ToString()).AsSpan();
        }

        if (!TryParseIpEndPoint(rest, minPort: 1, out var ep))
        {
            return $"'{value}' is not an admin address; {AdminAccepted}";
        }

        endpoint = ep;
        return null;
    }

    public static string? TryParseHostPort(string value, bool allowPortZero, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1)
        {
            return $"'{value}' {HostPortAccepted}";
        }

        var h = value[..colon];
        if (h.StartsWith('[') && h.EndsWith(']'))
        {
            if (!IPAddress.TryParse(h[1..^1], out _))
            {
                return $"'{value}' has a bad IPv6 address; {HostPortAccepted}";
            }
        }
        else if (h.Contains(':', StringComparison.Ordinal) || !IsHostName(h))
        {
            return $"'{value}' has a bad host; {HostPortAccepted}";
        }

        if (!int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            || p > 65535 || (p == 0 && !allowPortZero))
        {
            return $"'{value}' has a bad port; {HostPortAccepted}, port {(allowPortZero ? 0 : 1)}-65535";
        }

        host = h;
        port = p;
        return null;
    }

    public static string? TryParseRoles(IEnumerable<string> items, out IReadOnlyList<string> roles)
    {
        var list = new List<string>();
        foreach (var raw in items)
        {
            var role = raw.Trim().ToLowerInvariant();
            if (role.Length == 0)
            {
                continue;
            }

            if (!Contains(MembershipOptions.KnownRoles, role))
            {
                roles = [];
                return $"'{raw.Trim()}' is not a role; {RolesAccepted}";
            }

            if (!Contains(list, role))
            {
                list.Add(role);
            }
        }

        roles = list;
        return list.Count == 0 ? $"no role given; {RolesAccepted}" : null;
    }

    public static string? TryParseJournal(string value, out JournalProvider provider)
    {
        switch (value.Trim().ToLowerInvariant())
        {
            case "sqlite": provider = JournalProvider.Sqlite; return null;
            case "postgres" or "postgresql": provider = JournalProvider.Postgres; return null;
            default: provider = default; return $"'{value}' is not a journal; {JournalAccepted}";
        }
    }

    public static string? TryParseJournalSync(string value, out Routing.Cluster.Journal.SqliteSynchronous sync)
    {
        switch (value.Trim().ToLowerInvariant())
        {
            case "full": sync = Routing.Cluster.Journal.SqliteSynchronous.Full; return null;
            case "normal": sync = Routing.Cluster.Journal.SqliteSynchronous.Normal; return null;
            default: sync = default; return $"'{value}' is not a sync level; expected full or normal";
        }
    }

    public static string? TryParseCpuScheduling(string value, out CpuSchedulingPolicy policy)
    {
        switch (value.Trim().ToLowerInvariant())
        {
            case "batch": policy = CpuSchedulingPolicy.Batch; return null;
            case "normal": policy = CpuSchedulingPolicy.Normal; return null;
            default: policy = default; return $"'{value}' is not a scheduling policy; expected batch or normal";
        }
    }

    public static string? TryParseAuth(string value, out AuthMode mode)
    {
        switch (value.Trim().ToLowerInvariant())
        {
            case "digest": mode = AuthMode.Digest; return null;
            case "none": mode = AuthMode.None; return null;
            default: mode = default; return $"'{value}' is not an auth mode; {AuthAccepted}";
        }
    }

    public static string? TryParseLogFormat(string value, out LogFormat format)
    {
        switch (value.Trim().ToLowerInvariant())
        {
            case "text": format = LogFormat.Text; return null;
            case "json": format = LogFormat.Json; return null;
            default: format = default; return $"'{value}' is not a log format; {LogFormatAccepted}";
        }
    }

    public static string? TryParseLogLevel(string value, out Serilog.Events.LogEventLevel level)
    {
        switch (value.Trim().ToLowerInvariant())
        {
            case "verbose": level = Serilog.Events.LogEventLevel.Verbose; return null;
            case "debug": level = Serilog.Events.LogEventLevel.Debug; return null;
            case "information" or "info": level = Serilog.Events.LogEventLevel.Information; return null;
            case "warning" or "warn": level = Serilog.Events.LogEventLevel.Warning; return null;
            case "error": level = Serilog.Events.LogEventLevel.Error; return null;
            case "fatal": level = Serilog.Events.LogEventLevel.Fatal; return null;
            default: level = default; return $"'{value}' is not a log level; {LogLevelAccepted}";
        }
    }

    /// <summary>A SIP domain: RFC 3261 §25.1 hostname (labels of alphanumerics and '-', dot-separated).</summary>
    public static string? TryParseDomain(string value, out string domain)
    {
        domain = value.Trim().ToLowerInvariant();
        return IsHostName(domain) ? null : $"'{value}' is not a domain name; expected a host name such as example.com";
    }

    private static bool TryParseIpEndPoint(ReadOnlySpan<char> text, int minPort, out IPEndPoint endpoint)
    {
        endpoint = null!;
        ReadOnlySpan<char> host, port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close];
            port = text[(close + 2)..];
            if (!host.Contains(':'))
            {
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0)
            {
                return false;
            }

            host = text[..colon];
            port = text[(colon + 1)..];
            if (host.Contains(':'))
            {
                return false;
            }
        }

        if (!IPAddress.TryParse(host, out var address)
            || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            || p < minPort || p > 65535)
        {
            return false;
        }

        endpoint = new IPEndPoint(address, p);
        return true;
    }

    private static bool IsHostName(string host)
    {
        if (host.Length is 0 or > 253 || host[0] == '.' || host[^1] == '.' || host[0] == '-')
        {
            return false;
        }

        var previous = '.';
        foreach (var c in host)
        {
            var ok = char.IsAsciiLetterOrDigit(c) || c == '-' || (c == '.' && previous != '.');
            if (!ok)
            {
                return false;
            }

            previous = c;
        }

        return true;
    }

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        foreach (var item in list)
        {
            if (string.Equals(item, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
