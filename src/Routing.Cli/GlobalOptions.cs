using System.Globalization;

namespace Routing.Cli;

/// <summary>Flags every verb takes, anywhere on the command line.</summary>
public sealed class GlobalOptions
{
    public const string DefaultNode = "http://127.0.0.1:9110";
    public const string TokenEnvironmentVariable = "ROUTECTL_TOKEN";

    /// <summary>Where the token is looked for when none is given: the node's default data folder.</summary>
    public const string DefaultTokenFile = "data/admin.token";

    /// <summary>Admin API base URL. Default: http://127.0.0.1:9110.</summary>
    public Uri Node { get; set; } = new(DefaultNode);

    /// <summary>Bearer token, from --token, --token-file, ROUTECTL_TOKEN or ./data/admin.token, in that order.</summary>
    public string? Token { get; set; }

    /// <summary>Print the node's JSON instead of tables.</summary>
    public bool Json { get; set; }

    /// <summary>HTTP timeout. Default: 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The words that are not global flags (verb group, verb, verb arguments), in order.</summary>
    public List<string> Words { get; } = [];

    public const string Help = """
        Usage: routectl [global options] <group> <verb> [arguments]

          cluster show                  members with names, roles, status, leader and reachability
          cluster nodes                 members with name, admin URL, SIP addresses, pid, version
          cluster leave NODE            NODE leaves (hands off its shards; its process exits 0)
          cluster down NODE             mark NODE down at once (a crashed member)
          cluster down-unreachable      down every unreachable member
          cluster tail [--count N] [--for SECONDS]
                                        membership events as they happen
          shard regions                 shard regions with shard/entity totals
          shard stats REGION            shards and entities of REGION per member
          shard locate AOR|CALL-ID [--region R]
                                        which member owns the entity
          node health                   liveness and readiness (exit 1 when not ready)
          node info [NODE]              version, uptime, roles, ports, journal, start history
          node drain NODE [--wait SECONDS]
                                        unready, stop SIP, hand off shards, leave, exit 0
          sip ...               SIP tools run locally (lint, parse)
          user add AOR --password P     provision a user (HA1 only is stored)
          user remove AOR               remove a user and its bindings
          user show AOR                 bindings with flows, expiry, user agent, source
          user list [--limit N]         AORs known to the journal
          user import FILE.csv          one "AOR,password" per line, with a progress bar
          dialog list           calls in progress
          dialog show CALL-ID   a dialog's parties and event history
          cdr list [--user AOR] [--since TIME] [--limit N]
                                call detail records, newest first (--json: one object per call)

        Global options:
          --node URL|NAME       admin API of the node (default: http://127.0.0.1:9110), or a member's name in
                                .cluster/nodes.json (its admin URL and token file; $ROUTECTL_CLUSTER_FILE)
          --token TOKEN         admin bearer token
          --token-file FILE     read the token from FILE (e.g. <data>/admin.token)
                                (otherwise: $ROUTECTL_TOKEN, then ./data/admin.token)
          --json                print JSON for scripts instead of tables
          --timeout SECONDS     HTTP timeout (default: 10)
          --help

        NODE: a member's name (routing.node.name, as in .cluster/nodes.json), node id, cluster address or its HOST:PORT.
        Any member answers for the whole cluster.

        Exit codes: 0 ok, 1 failure reported by the node, 2 usage error, 3 node unreachable.
        """;

    /// <summary>Parses global flags out of <paramref name="args"/>; returns an error line or null.</summary>
    public static string? TryParse(IReadOnlyList<string> args, Func<string, string?> environment, out GlobalOptions options, out bool help)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        options = new GlobalOptions();
        help = false;
        string? token = null, tokenFile = null, memberTokenFile = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = arg;
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = arg[..eq];
                inline = arg[(eq + 1)..];
            }

            switch (name)
            {
                case "--help" or "-h":
                    help = true;
                    break;
                case "--json":
                    options.Json = true;
                    break;
                case "--node" or "--token" or "--token-file" or "--timeout":
                    var value = inline ?? (i + 1 < args.Count ? args[++i] : null);
                    if (value is null)
                    {
                        return $"{name} needs a value";
                    }

                    switch (name)
                    {
                        case "--node":
                            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                            {
                                // A member's name from .cluster/nodes.json (build.ps1 cluster-up) stands for its admin URL and token file.
                                if (ClusterFile.Find(value, environment) is not { } member)
                                {
                                    return $"--node: '{value}' is not a node address; expected http://HOST:PORT (e.g. {DefaultNode}) or a name in {ClusterFile.DefaultPath}";
                                }

                                uri = member.Admin;
                                memberTokenFile = member.TokenFile;
                            }

                            options.Node = uri;
                            break;
                        case "--token":
                            token = value;
                            break;
                        case "--token-file":
                            tokenFile = value;
                            break;
                        default:
                            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > 3600)
                            {
                                return $"--timeout: '{value}' is not a number of seconds between 0 and 3600";
                            }

                            options.Timeout = TimeSpan.FromSeconds(seconds);
                            break;
                    }

                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal) && options.Words.Count < 2)
                    {
                        return $"{name}: unknown option; run routectl --help";
                    }

                    options.Words.Add(arg);
                    break;
            }
        }

        if (token is not null)
        {
            options.Token = token.Trim();
        }
        else if (tokenFile is not null)
        {
            try
            {
                options.Token = File.ReadAllText(tokenFile).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return $"--token-file: cannot read '{tokenFile}': {e.Message}";
            }
        }
        else if (memberTokenFile is not null)
        {
            try
            {
                options.Token = File.ReadAllText(memberTokenFile).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return $"--node: cannot read the member's token file '{memberTokenFile}': {e.Message}";
            }
        }
        else if (environment(TokenEnvironmentVariable) is { Length: > 0 } fromEnv)
        {
            options.Token = fromEnv.Trim();
        }
        else if (File.Exists(DefaultTokenFile))
        {
            try
            {
                options.Token = File.ReadAllText(DefaultTokenFile).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                options.Token = null;
            }
        }

        return null;
    }
}
