using Akka.Configuration;

namespace Routing.Node.Configuration;

/// <summary>What the command line asked for.</summary>
public enum NodeCommand
{
    Run,
    Help,
    Version,
}

/// <summary>Outcome of reading flags and the config file: options to run with, or the one error to print.</summary>
public sealed record NodeCommandLineResult(NodeCommand Command, NodeOptions? Options, OptionError? Error);

/// <summary>
/// Reads the node's settings: built-in defaults, then the HOCON file named by <c>--config</c> (section
/// <c>routing.node</c>), then the environment (<c>ROUTING_ADMIN_TOKEN</c>), then flags. A repeatable flag given on the
/// command line replaces the file's whole list.
/// </summary>
public static class NodeCommandLine
{
    public const string AdminTokenEnvironmentVariable = "ROUTING_ADMIN_TOKEN";

    public const string Usage = """
        Usage: Routing.Node [options]

          --config FILE             HOCON file with a routing.node { } section (and optional akka { } overrides)
          --sip udp:IP:PORT         SIP listener, repeatable (default: udp:127.0.0.1:5060 and tcp:127.0.0.1:5060)
          --sip tcp:IP:PORT
          --sip tls:IP:PORT         (needs --tls-cert and --tls-key)
          --tls-cert FILE           PEM server certificate for tls: listeners
          --tls-key FILE            PEM private key of --tls-cert
          --tls-client-ca FILE      PEM CA bundle client certificates must chain to
          --tls-client-cert MODE    none|optional|required (default: none)
          --sip-reuseport           SO_REUSEPORT on UDP sockets: several edge processes share one address (default: off)
          --flow-secret FILE        flow-token secret shared by the cluster (default: <data>/flow.secret, created)
          --domain NAME             SIP domain this node serves, repeatable (default: none)
          --admin http://IP:PORT    admin API address (default: http://127.0.0.1:9110)
          --metrics-open            serve /metrics without the admin token (default: token required)
          --data DIR                data folder: SQLite journal, node id, admin token (default: ./data)
          --journal sqlite|postgres journal and snapshot store (default: sqlite)
          --journal-connection STR  connection string (required for postgres)
          --journal-sync full|normal  sqlite: fsync every commit, or only at checkpoints (default: full)
          --roles LIST              comma-separated roles: edge,routing,media (default: all three)
          --akka HOST:PORT          Akka remoting endpoint (default: 127.0.0.1:4053)
          --seed HOST:PORT          seed node, repeatable (default: none = form a cluster alone)
          --auth digest|none        request authentication (default: digest)
          --log-format text|json    console log format (default: text)
          --log-level LEVEL         verbose|debug|information|warning|error|fatal (default: information)
          --cpu-scheduling batch|normal  Linux policy of the node's threads (default: batch, SCHED_BATCH)
          --help, --version

        Exit codes: 0 stopped cleanly, 1 start failed (port in use, data folder not writable, journal), 2 bad flag or config.
        """;

    public static NodeCommandLineResult Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var flags = new List<(string Name, string? Value)>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                return new NodeCommandLineResult(NodeCommand.Help, null, null);
            }

            if (arg == "--version")
            {
                return new NodeCommandLineResult(NodeCommand.Version, null, null);
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                return Fail(OptionErrorKind.UnknownFlag, arg, "unexpected argument; run with --help for the accepted flags");
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            if (!IsKnownFlag(name, out var takesValue))
            {
                return Fail(OptionErrorKind.UnknownFlag, name, "unknown flag; run with --help for the accepted flags");
            }

            if (!takesValue)
            {
                if (eq > 0)
                {
                    return Fail(OptionErrorKind.InvalidValue, name, "takes no value");
                }

                flags.Add((name, null));
                continue;
            }

            string value;
            if (eq > 0)
            {
                value = arg[(eq + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                return Fail(OptionErrorKind.MissingValue, name, "needs a value; run with --help for the accepted values");
            }

            flags.Add((name, value));
        }

        var options = new NodeOptions();
        foreach (var (name, value) in flags)
        {
            if (name == "--config")
            {
                var fileError = ApplyConfigFile(options, value!);
                if (fileError is not null)
                {
                    return new NodeCommandLineResult(NodeCommand.Run, null, fileError);
                }
            }
        }

        var token = environment(AdminTokenEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(token))
        {
            options.Admin.Token = token.Trim();
        }

        var error = ApplyFlags(options, flags);
        error ??= Validate(options);
        return error is null
            ? new NodeCommandLineResult(NodeCommand.Run, options, null)
            : new NodeCommandLineResult(NodeCommand.Run, null, error);
    }

    private static bool IsKnownFlag(string name, out bool takesValue)
    {
        takesValue = true;
        switch (name)
        {
            case "--config" or "--sip" or "--domain" or "--admin" or "--data" or "--journal" or "--journal-connection" or "--journal-sync"
                or "--roles" or "--akka" or "--seed" or "--auth" or "--log-format" or "--log-level" or "--cpu-scheduling"
                or "--tls-cert" or "--tls-key" or "--tls-client-ca" or "--tls-client-cert" or "--flow-secret":
                return true;
            case "--metrics-open" or "--sip-reuseport":
                takesValue = false;
                return true;
            default:
                return false;
        }
    }

    private static OptionError? ApplyFlags(NodeOptions o, List<(string Name, string? Value)> flags)
    {
        List<SipListenEndpoint>? sip = null;
        List<string>? seeds = null, domains = null;
        foreach (var (name, raw) in flags)
        {
            var value = raw ?? string.Empty;
            string? detail = null;
            switch (name)
            {
                case "--config":
                    break;
                case "--sip":
                    detail = OptionValues.TryParseSipListen(value, out var ep);
                    if (detail is null)
                    {
                        sip ??= [];
                        if (sip.Contains(ep!))
                        {
                            return new OptionError(OptionErrorKind.DuplicateValue, name, $"'{value}' is given twice");
                        }

                        sip.Add(ep!);
                    }

                    break;
                case "--domain":
                    detail = OptionValues.TryParseDomain(value, out var domain);
                    if (detail is null)
                    {
                        (domains ??= []).Add(domain);
                    }

                    break;
                case "--admin":
                    detail = OptionValues.TryParseAdminUrl(value, out var admin);
                    if (detail is null)
                    {
                        o.Admin.EndPoint = admin!;
                    }

                    break;
                case "--metrics-open":
                    o.Admin.MetricsOpen = true;
                    break;
                case "--sip-reuseport":
                    o.Sip.ReusePort = true;
                    break;
                case "--tls-cert":
                    o.Sip.Tls.CertificateFile = value;
                    break;
                case "--tls-key":
                    o.Sip.Tls.KeyFile = value;
                    break;
                case "--tls-client-ca":
                    o.Sip.Tls.ClientCaFile = value;
                    break;
                case "--tls-client-cert":
                    detail = OptionValues.TryParseClientCertificate(value, out var clientCert);
                    o.Sip.Tls.ClientCertificate = clientCert;
                    break;
                case "--flow-secret":
                    o.Sip.FlowTokenSecretFile = value;
                    break;
                case "--data":
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        detail = "expected a folder path";
                    }
                    else
                    {
                        o.Storage.DataDirectory = value;
                    }

                    break;
                case "--journal":
                    detail = OptionValues.TryParseJournal(value, out var journal);
                    o.Storage.Journal = journal;
                    break;
                case "--journal-connection":
                    o.Storage.JournalConnection = value;
                    break;
                case "--journal-sync":
                    detail = OptionValues.TryParseJournalSync(value, out var sync);
                    o.Storage.SqliteSynchronous = sync;
                    break;
                case "--cpu-scheduling":
                    detail = OptionValues.TryParseCpuScheduling(value, out var policy);
                    o.CpuScheduling = policy;
                    break;
                case "--roles":
                    detail = OptionValues.TryParseRoles(value.Split(','), out var roles);
                    if (detail is null)
                    {
                        o.Membership.Roles = roles;
                    }

                    break;
                case "--akka":
                    detail = OptionValues.TryParseHostPort(value, allowPortZero: true, out var host, out var port);
                    if (detail is null)
                    {
                        o.Membership.AkkaHost = host;
                        o.Membership.AkkaPort = port;
                    }

                    break;
                case "--seed":
                    detail = OptionValues.TryParseHostPort(value, allowPortZero: false, out _, out _);
                    if (detail is null)
                    {
                        (seeds ??= []).Add(value);
                    }

                    break;
                case "--auth":
                    detail = OptionValues.TryParseAuth(value, out var auth);
                    o.Auth.Mode = auth;
                    break;
                case "--log-format":
                    detail = OptionValues.TryParseLogFormat(value, out var format);
                    o.Logging.Format = format;
                    break;
                case "--log-level":
                    detail = OptionValues.TryParseLogLevel(value, out var level);
                    o.Logging.Level = level;
                    break;
            }

            if (detail is not null)
            {
                return new OptionError(OptionErrorKind.InvalidValue, name, detail);
            }
        }

        if (sip is not null)
        {
            o.Sip.Listen = sip;
        }

        if (seeds is not null)
        {
            o.Membership.Seeds = seeds;
        }

        if (domains is not null)
        {
            o.Sip.Domains = domains;
        }

        return null;
    }

    private static OptionError? Validate(NodeOptions o)
    {
        if (o.Storage.Journal == JournalProvider.Postgres && string.IsNullOrWhiteSpace(o.Storage.JournalConnection))
        {
            return new OptionError(OptionErrorKind.MissingRequired, "--journal-connection",
                "required with --journal postgres; expected an Npgsql connection string such as 'Host=127.0.0.1;Username=routing;Password=...;Database=routing'");
        }

        if (o.Storage.Journal == JournalProvider.Postgres)
        {
            try
            {
                _ = Routing.Cluster.Journal.PostgresDataSources.WithPoolBound(o.Storage.JournalConnection);
            }
            catch (ArgumentException e)
            {
                return new OptionError(OptionErrorKind.InvalidValue, "--journal-connection", "not a usable Npgsql connection string: " + e.Message);
            }
        }

        if (o.Sip.Listen.Count == 0)
        {
            return new OptionError(OptionErrorKind.MissingRequired, "--sip", "at least one listener is needed; " + OptionValues.SipListenAccepted);
        }

        var tls = false;
        foreach (var l in o.Sip.Listen)
        {
            tls |= l.Transport == SipListenTransport.Tls;
        }

        if (tls && (string.IsNullOrWhiteSpace(o.Sip.Tls.CertificateFile) || string.IsNullOrWhiteSpace(o.Sip.Tls.KeyFile)))
        {
            return new OptionError(OptionErrorKind.MissingRequired, "--tls-cert", "a tls: listener needs --tls-cert FILE and --tls-key FILE (PEM)");
        }

        if (tls && o.Sip.Tls.ClientCertificate != Routing.Sip.Transport.ClientCertificateMode.None && string.IsNullOrWhiteSpace(o.Sip.Tls.ClientCaFile))
        {
            return new OptionError(OptionErrorKind.MissingRequired, "--tls-client-ca", "--tls-client-cert optional|required needs --tls-client-ca FILE (PEM CA bundle)");
        }

        return null;
    }

    private static OptionError? ApplyConfigFile(NodeOptions o, string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new OptionError(OptionErrorKind.ConfigFileUnreadable, "--config", $"cannot read '{path}': {e.Message}");
        }

        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new OptionError(OptionErrorKind.ConfigFileInvalid, "--config", $"'{path}' is not valid HOCON: {FirstLine(e.Message)}");
        }

        o.ConfigFile = config;
        return NodeHocon.Apply(o, config);
    }

    private static string FirstLine(string message)
    {
        var nl = message.IndexOfAny(['\r', '\n']);
        return nl < 0 ? message : message[..nl];
    }

    private static NodeCommandLineResult Fail(OptionErrorKind kind, string setting, string detail) =>
        new(NodeCommand.Run, null, new OptionError(kind, setting, detail));
}
