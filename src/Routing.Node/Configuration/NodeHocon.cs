using Akka.Configuration;

namespace Routing.Node.Configuration;

/// <summary>
/// Maps the <c>routing.node</c> HOCON section onto <see cref="NodeOptions"/>. Keys and defaults are documented in
/// cluster-config/node.conf; a key that is absent keeps the built-in default.
/// </summary>
public static class NodeHocon
{
    public const string Root = "routing.node";

    public static OptionError? Apply(NodeOptions o, Config file)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(file);
        if (ConfigSection.FirstUnknownSection(file) is { } section)
        {
            return new OptionError(OptionErrorKind.UnknownConfigKey, section,
                $"unknown section; the node reads {string.Join(", ", ConfigSection.Sections.Select(s => "routing." + s))}");
        }

        var c = new ConfigSection(file, Root);
        try
        {
            var error = ApplySip(o, c) ?? ApplyTransport(o, c) ?? ApplyAdmin(o, c) ?? ApplyStorage(o, c) ?? ApplyCluster(o, c) ?? ApplyMisc(o, c);
            if (error is not null)
            {
                return error;
            }

            // routing.node.name is read by NodeDirectory.NameOf.
            c.ReadElsewhere("name");
            return c.FirstUnknownKey() is { } unknown
                ? new OptionError(OptionErrorKind.UnknownConfigKey, unknown, "unknown key; the keys are listed in cluster-config/node.conf")
                : null;
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or InvalidCastException or OverflowException)
        {
            return new OptionError(OptionErrorKind.ConfigFileInvalid, Root, "a value has the wrong type: " + e.Message);
        }
    }

    private static OptionError? ApplySip(NodeOptions o, ConfigSection c)
    {
        if (c.HasPath("sip.listen"))
        {
            var list = new List<SipListenEndpoint>();
            foreach (var item in c.GetStringList("sip.listen"))
            {
                var detail = OptionValues.TryParseSipListen(item, out var ep);
                if (detail is not null)
                {
                    return Invalid("sip.listen", detail);
                }

                if (list.Contains(ep!))
                {
                    return new OptionError(OptionErrorKind.DuplicateValue, Root + ".sip.listen", $"'{item}' is given twice");
                }

                list.Add(ep!);
            }

            o.Sip.Listen = list;
        }

        if (c.HasPath("sip.domains"))
        {
            var list = new List<string>();
            foreach (var item in c.GetStringList("sip.domains"))
            {
                var detail = OptionValues.TryParseDomain(item, out var domain);
                if (detail is not null)
                {
                    return Invalid("sip.domains", detail);
                }

                list.Add(domain);
            }

            o.Sip.Domains = list;
        }

        if (c.HasPath("sip.receive-buffer-bytes"))
        {
            var size = c.GetByteSize("sip.receive-buffer-bytes");
            if (size is null or < 65536 or > 256L * 1024 * 1024)
            {
                return Invalid("sip.receive-buffer-bytes", "expected a size from 64 KiB to 256 MiB (e.g. 4 MiB)");
            }

            o.Sip.ReceiveBufferBytes = (int)size.Value;
        }

        return null;
    }

    private static OptionError? ApplyTransport(NodeOptions o, ConfigSection c)
    {
        if (c.HasPath("sip.reuse-port"))
        {
            o.Sip.ReusePort = c.GetBoolean("sip.reuse-port");
        }

        if (c.HasPath("sip.flow-token-secret-file"))
        {
            o.Sip.FlowTokenSecretFile = c.GetString("sip.flow-token-secret-file");
        }

        if (c.HasPath("sip.connection-idle-timeout"))
        {
            var idle = c.GetTimeSpan("sip.connection-idle-timeout");
            if (idle < TimeSpan.FromSeconds(1))
            {
                return Invalid("sip.connection-idle-timeout", "expected a duration of at least 1 s (e.g. 300 s)");
            }

            o.Sip.ConnectionIdleTimeout = idle;
        }

        if (c.HasPath("sip.max-connections-per-address"))
        {
            var max = c.GetInt("sip.max-connections-per-address");
            if (max < 1)
            {
                return Invalid("sip.max-connections-per-address", "expected a number of at least 1");
            }

            o.Sip.MaxConnectionsPerAddress = max;
        }

        if (c.HasPath("sip.tls.certificate"))
        {
            o.Sip.Tls.CertificateFile = c.GetString("sip.tls.certificate");
        }

        if (c.HasPath("sip.tls.key"))
        {
            o.Sip.Tls.KeyFile = c.GetString("sip.tls.key");
        }

        if (c.HasPath("sip.tls.client-ca"))
        {
            o.Sip.Tls.ClientCaFile = c.GetString("sip.tls.client-ca");
        }

        if (c.HasPath("sip.tls.client-certificate"))
        {
            var detail = OptionValues.TryParseClientCertificate(c.GetString("sip.tls.client-certificate"), out var mode);
            if (detail is not null)
            {
                return Invalid("sip.tls.client-certificate", detail);
            }

            o.Sip.Tls.ClientCertificate = mode;
        }

        return null;
    }

    private static OptionError? ApplyAdmin(NodeOptions o, ConfigSection c)
    {
        if (c.HasPath("admin.url"))
        {
            var detail = OptionValues.TryParseAdminUrl(c.GetString("admin.url"), out var ep);
            if (detail is not null)
            {
                return Invalid("admin.url", detail);
            }

            o.Admin.EndPoint = ep!;
        }

        if (c.HasPath("admin.token"))
        {
            o.Admin.Token = c.GetString("admin.token").Trim();
        }

        if (c.HasPath("admin.metrics-open"))
        {
            o.Admin.MetricsOpen = c.GetBoolean("admin.metrics-open");
        }

        return null;
    }

    private static OptionError? ApplyStorage(NodeOptions o, ConfigSection c)
    {
        if (c.HasPath("data-dir"))
        {
            var dir = c.GetString("data-dir");
            if (string.IsNullOrWhiteSpace(dir))
            {
                return Invalid("data-dir", "expected a folder path");
            }

            o.Storage.DataDirectory = dir;
        }

        if (c.HasPath("journal.provider"))
        {
            var detail = OptionValues.TryParseJournal(c.GetString("journal.provider"), out var provider);
            if (detail is not null)
            {
                return Invalid("journal.provider", detail);
            }

            o.Storage.Journal = provider;
        }

        if (c.HasPath("journal.connection"))
        {
            o.Storage.JournalConnection = c.GetString("journal.connection");
        }

        if (c.HasPath("journal.sqlite-synchronous"))
        {
            var detail = OptionValues.TryParseJournalSync(c.GetString("journal.sqlite-synchronous"), out var sync);
            if (detail is not null)
            {
                return Invalid("journal.sqlite-synchronous", detail);
            }

            o.Storage.SqliteSynchronous = sync;
        }

        return null;
    }

    private static OptionError? ApplyCluster(NodeOptions o, ConfigSection c)
    {
        if (c.HasPath("cluster.roles"))
        {
            var detail = OptionValues.TryParseRoles(c.GetStringList("cluster.roles"), out var roles);
            if (detail is not null)
            {
                return Invalid("cluster.roles", detail);
            }

            o.Membership.Roles = roles;
        }

        if (c.HasPath("cluster.akka"))
        {
            var detail = OptionValues.TryParseHostPort(c.GetString("cluster.akka"), allowPortZero: true, out var host, out var port);
            if (detail is not null)
            {
                return Invalid("cluster.akka", detail);
            }

            o.Membership.AkkaHost = host;
            o.Membership.AkkaPort = port;
        }

        if (c.HasPath("cluster.seeds"))
        {
            var seeds = new List<string>();
            foreach (var seed in c.GetStringList("cluster.seeds"))
            {
                var detail = OptionValues.TryParseHostPort(seed, allowPortZero: false, out _, out _);
                if (detail is not null)
                {
                    return Invalid("cluster.seeds", detail);
                }

                seeds.Add(seed);
            }

            o.Membership.Seeds = seeds;
        }

        return null;
    }

    private static OptionError? ApplyMisc(NodeOptions o, ConfigSection c)
    {
        if (c.HasPath("cpu-scheduling"))
        {
            var detail = OptionValues.TryParseCpuScheduling(c.GetString("cpu-scheduling"), out var policy);
            if (detail is not null)
            {
                return Invalid("cpu-scheduling", detail);
            }

            o.CpuScheduling = policy;
        }

        if (c.HasPath("auth.mode"))
        {
            var detail = OptionValues.TryParseAuth(c.GetString("auth.mode"), out var mode);
            if (detail is not null)
            {
                return Invalid("auth.mode", detail);
            }

            o.Auth.Mode = mode;
        }

        if (c.HasPath("log.format"))
        {
            var detail = OptionValues.TryParseLogFormat(c.GetString("log.format"), out var format);
            if (detail is not null)
            {
                return Invalid("log.format", detail);
            }

            o.Logging.Format = format;
        }

        if (c.HasPath("log.level"))
        {
            var detail = OptionValues.TryParseLogLevel(c.GetString("log.level"), out var level);
            if (detail is not null)
            {
                return Invalid("log.level", detail);
            }

            o.Logging.Level = level;
        }

        return null;
    }

    private static OptionError Invalid(string key, string detail) =>
        new(OptionErrorKind.InvalidValue, Root + "." + key, detail);
}
