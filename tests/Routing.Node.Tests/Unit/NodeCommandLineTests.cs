using System.Net;
using Routing.Node.Configuration;

namespace Routing.Node.Tests.Unit;

public sealed class NodeCommandLineTests : IDisposable
{
    private readonly List<string> _files = [];

    public void Dispose()
    {
        foreach (var f in _files)
        {
            File.Delete(f);
        }
    }

    private static NodeCommandLineResult Parse(params string[] args) => NodeCommandLine.Parse(args, _ => null);

    private string ConfigFile(string hocon)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, hocon);
        _files.Add(path);
        return path;
    }

    [Fact]
    public void NoFlags_DocumentedDefaults()
    {
        var o = Parse().Options!;

        Assert.Equal(["udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"], o.Sip.Listen.Select(l => l.ToString()).ToArray());
        Assert.Equal("http://127.0.0.1:9110", o.Admin.Url);
        Assert.Equal("./data", o.Storage.DataDirectory);
        Assert.Equal(JournalProvider.Sqlite, o.Storage.Journal);
        Assert.Equal(["edge", "routing", "media"], o.Membership.Roles);
        Assert.Equal("127.0.0.1", o.Membership.AkkaHost);
        Assert.Equal(4053, o.Membership.AkkaPort);
        Assert.Empty(o.Membership.Seeds);
        Assert.Equal(AuthMode.Digest, o.Auth.Mode);
        Assert.Empty(o.Sip.Domains);
        Assert.False(o.Admin.MetricsOpen);
        Assert.Equal(4 * 1024 * 1024, o.Sip.ReceiveBufferBytes);
    }

    [Fact]
    public void EveryFlag_Applied()
    {
        var o = Parse("--sip", "udp:10.0.0.1:5070", "--sip", "tcp:[::1]:5071", "--admin", "http://127.0.0.1:9200", "--data", "/var/lib/r",
            "--roles", "edge,routing", "--akka", "10.0.0.1:4100", "--seed", "10.0.0.2:4100", "--seed", "10.0.0.3:4100",
            "--journal", "postgres", "--journal-connection", "Host=db", "--auth", "none", "--domain", "Example.COM",
            "--metrics-open", "--log-format", "json", "--log-level", "debug").Options!;

        Assert.Equal(new SipListenEndpoint(SipListenTransport.Udp, IPEndPoint.Parse("10.0.0.1:5070")), o.Sip.Listen[0]);
        Assert.Equal(new SipListenEndpoint(SipListenTransport.Tcp, IPEndPoint.Parse("[::1]:5071")), o.Sip.Listen[1]);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9200"), o.Admin.EndPoint);
        Assert.Equal("/var/lib/r", o.Storage.DataDirectory);
        Assert.Equal(["edge", "routing"], o.Membership.Roles);
        Assert.Equal(("10.0.0.1", 4100), (o.Membership.AkkaHost, o.Membership.AkkaPort));
        Assert.Equal(["10.0.0.2:4100", "10.0.0.3:4100"], o.Membership.Seeds);
        Assert.Equal(JournalProvider.Postgres, o.Storage.Journal);
        Assert.Equal("Host=db", o.Storage.JournalConnection);
        Assert.Equal(AuthMode.None, o.Auth.Mode);
        Assert.Equal(["example.com"], o.Sip.Domains);
        Assert.True(o.Admin.MetricsOpen);
        Assert.Equal(LogFormat.Json, o.Logging.Format);
        Assert.Equal(Serilog.Events.LogEventLevel.Debug, o.Logging.Level);
    }

    [Fact]
    public void FlagWithEqualsSign_SameAsSeparateValue()
    {
        var o = Parse("--data=/tmp/x", "--roles=media").Options!;

        Assert.Equal("/tmp/x", o.Storage.DataDirectory);
        Assert.Equal(["media"], o.Membership.Roles);
    }

    [Theory]
    [InlineData("--help", NodeCommand.Help)]
    [InlineData("-h", NodeCommand.Help)]
    [InlineData("--version", NodeCommand.Version)]
    public void HelpAndVersion_Recognised(string flag, NodeCommand command) => Assert.Equal(command, Parse(flag).Command);

    [Theory]
    [InlineData(OptionErrorKind.UnknownFlag, "--bogus", "--bogus")]
    [InlineData(OptionErrorKind.UnknownFlag, "stray", "stray")]
    [InlineData(OptionErrorKind.MissingValue, "--sip", "--sip")]
    [InlineData(OptionErrorKind.InvalidValue, "--sip", "--sip", "udp:localhost:5060")]
    [InlineData(OptionErrorKind.InvalidValue, "--sip", "--sip", "udp:127.0.0.1")]
    [InlineData(OptionErrorKind.InvalidValue, "--sip", "--sip", "udp:127.0.0.1:0")]
    [InlineData(OptionErrorKind.InvalidValue, "--sip", "--sip", "sctp:127.0.0.1:5061")]
    [InlineData(OptionErrorKind.MissingRequired, "--tls-cert", "--sip", "tls:127.0.0.1:5061")]
    [InlineData(OptionErrorKind.MissingRequired, "--tls-client-ca", "--sip", "tls:127.0.0.1:5061", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-client-cert", "required")]
    [InlineData(OptionErrorKind.InvalidValue, "--tls-client-cert", "--tls-client-cert", "sometimes")]
    [InlineData(OptionErrorKind.DuplicateValue, "--sip", "--sip", "udp:127.0.0.1:5060", "--sip", "udp:127.0.0.1:5060")]
    [InlineData(OptionErrorKind.InvalidValue, "--admin", "--admin", "https://127.0.0.1:9110")]
    [InlineData(OptionErrorKind.InvalidValue, "--admin", "--admin", "http://127.0.0.1")]
    [InlineData(OptionErrorKind.InvalidValue, "--roles", "--roles", "edge,billing")]
    [InlineData(OptionErrorKind.InvalidValue, "--roles", "--roles", ",")]
    [InlineData(OptionErrorKind.InvalidValue, "--akka", "--akka", "127.0.0.1")]
    [InlineData(OptionErrorKind.InvalidValue, "--seed", "--seed", "127.0.0.1:0")]
    [InlineData(OptionErrorKind.InvalidValue, "--journal", "--journal", "mysql")]
    [InlineData(OptionErrorKind.MissingRequired, "--journal-connection", "--journal", "postgres")]
    [InlineData(OptionErrorKind.InvalidValue, "--journal-connection", "--journal", "postgres", "--journal-connection", "Host=db;Frobnicate=1")]
    [InlineData(OptionErrorKind.InvalidValue, "--journal-connection", "--journal", "postgres", "--journal-connection", "db.example.com")]
    [InlineData(OptionErrorKind.InvalidValue, "--journal-connection", "--journal", "postgres", "--journal-connection", "Username=routing;Database=routing")]
    [InlineData(OptionErrorKind.InvalidValue, "--auth", "--auth", "basic")]
    [InlineData(OptionErrorKind.InvalidValue, "--domain", "--domain", "bad_domain!")]
    [InlineData(OptionErrorKind.InvalidValue, "--metrics-open", "--metrics-open=yes")]
    [InlineData(OptionErrorKind.ConfigFileUnreadable, "--config", "--config", "/nonexistent/node.conf")]
    public void BadInput_OneErrorNamingTheSetting(OptionErrorKind kind, string setting, params string[] args)
    {
        var result = Parse(args);

        Assert.Null(result.Options);
        var error = Assert.IsType<OptionError>(result.Error);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(setting, error.Setting);
        Assert.DoesNotContain('\n', error.ToString());
        Assert.StartsWith(setting + ": ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidSip_ErrorListsTheAcceptedForms()
    {
        var error = Parse("--sip", "udp:nope").Error!;

        Assert.Equal("--sip: 'udp:nope' is not a listener; " + OptionValues.SipListenAccepted, error.ToString());
    }

    [Fact]
    public void ConfigFile_RoutingNodeSection_Applied()
    {
        var file = ConfigFile("""
            routing.node {
              sip { listen = ["tcp:127.0.0.1:6000"], domains = [example.org], receive-buffer-bytes = 8 MiB }
              admin { url = "http://127.0.0.1:9300", token = "abc", metrics-open = on }
              data-dir = "/srv/routing"
              journal { provider = postgres, connection = "Host=pg" }
              cluster { roles = [routing], akka = "127.0.0.1:4200", seeds = ["127.0.0.1:4201"] }
              auth.mode = none
              log { format = json, level = warning }
            }
            """);

        var o = Parse("--config", file).Options!;

        Assert.Equal(["tcp:127.0.0.1:6000"], o.Sip.Listen.Select(l => l.ToString()).ToArray());
        Assert.Equal(["example.org"], o.Sip.Domains);
        Assert.Equal(8 * 1024 * 1024, o.Sip.ReceiveBufferBytes);
        Assert.Equal("http://127.0.0.1:9300", o.Admin.Url);
        Assert.Equal("abc", o.Admin.Token);
        Assert.True(o.Admin.MetricsOpen);
        Assert.Equal("/srv/routing", o.Storage.DataDirectory);
        Assert.Equal(JournalProvider.Postgres, o.Storage.Journal);
        Assert.Equal("Host=pg", o.Storage.JournalConnection);
        Assert.Equal(["routing"], o.Membership.Roles);
        Assert.Equal(4200, o.Membership.AkkaPort);
        Assert.Equal(["127.0.0.1:4201"], o.Membership.Seeds);
        Assert.Equal(AuthMode.None, o.Auth.Mode);
        Assert.Equal(LogFormat.Json, o.Logging.Format);
        Assert.Equal(Serilog.Events.LogEventLevel.Warning, o.Logging.Level);
        Assert.NotNull(o.ConfigFile);
    }

    [Fact]
    public void FlagsOverrideTheConfigFile_RepeatableFlagReplacesTheWholeList()
    {
        var file = ConfigFile("""routing.node { data-dir = "/from-file", sip.listen = ["udp:127.0.0.1:6000", "tcp:127.0.0.1:6000"] }""");

        var o = Parse("--config", file, "--data", "/from-flag", "--sip", "udp:127.0.0.1:7000").Options!;

        Assert.Equal("/from-flag", o.Storage.DataDirectory);
        Assert.Equal(["udp:127.0.0.1:7000"], o.Sip.Listen.Select(l => l.ToString()).ToArray());
    }

    [Fact]
    public void JournalSync_DefaultFull_ConfigNormal_FlagOverrides()
    {
        var file = ConfigFile("""routing.node.journal.sqlite-synchronous = normal""");

        Assert.Equal(Routing.Cluster.Journal.SqliteSynchronous.Full, Parse().Options!.Storage.SqliteSynchronous);
        Assert.Equal(Routing.Cluster.Journal.SqliteSynchronous.Normal, Parse("--config", file).Options!.Storage.SqliteSynchronous);
        Assert.Equal(Routing.Cluster.Journal.SqliteSynchronous.Full,
            Parse("--config", file, "--journal-sync", "full").Options!.Storage.SqliteSynchronous);
    }

    [Fact]
    public void JournalSync_BadValue_ErrorNamesTheSetting()
    {
        var file = ConfigFile("""routing.node.journal.sqlite-synchronous = off""");

        Assert.Equal("--journal-sync", Parse("--journal-sync", "off").Error!.Setting);
        Assert.Equal("routing.node.journal.sqlite-synchronous", Parse("--config", file).Error!.Setting);
    }

    [Fact]
    public void CpuScheduling_DefaultBatch_ConfigNormal_FlagOverrides_BadValueNamesTheSetting()
    {
        var file = ConfigFile("""routing.node.cpu-scheduling = normal""");
        var bad = ConfigFile("""routing.node.cpu-scheduling = fifo""");

        Assert.Equal(CpuSchedulingPolicy.Batch, Parse().Options!.CpuScheduling);
        Assert.Equal(CpuSchedulingPolicy.Normal, Parse("--config", file).Options!.CpuScheduling);
        Assert.Equal(CpuSchedulingPolicy.Batch, Parse("--config", file, "--cpu-scheduling", "batch").Options!.CpuScheduling);
        Assert.Equal("--cpu-scheduling", Parse("--cpu-scheduling", "fifo").Error!.Setting);
        Assert.Equal("routing.node.cpu-scheduling", Parse("--config", bad).Error!.Setting);
    }

    [Fact]
    public void ConfigFile_BadValue_ErrorNamesTheHoconPath()
    {
        var file = ConfigFile("""routing.node.cluster.roles = [edge, toaster]""");

        var error = Parse("--config", file).Error!;

        Assert.Equal(OptionErrorKind.InvalidValue, error.Kind);
        Assert.Equal("routing.node.cluster.roles", error.Setting);
    }

    [Fact]
    public void ConfigFile_NotHocon_ConfigFileInvalid()
    {
        var file = ConfigFile("a b c = = =");

        var error = Parse("--config", file).Error!;

        Assert.Equal(OptionErrorKind.ConfigFileInvalid, error.Kind);
        Assert.DoesNotContain('\n', error.ToString());
    }

    [Theory]
    [InlineData("routing.node.sip.listn = [\"udp:127.0.0.1:5060\"]", "routing.node.sip.listn")]
    [InlineData("routing.node { admin { url = \"http://127.0.0.1:9110\", tokn = x } }", "routing.node.admin.tokn")]
    [InlineData("routing.registar.min-expires = 30", "routing.registar")]
    [InlineData("routing = 5", "routing")]
    public void ConfigFile_UnknownKeyOrSection_RefusedNamingIt(string hocon, string setting)
    {
        var error = Parse("--config", ConfigFile(hocon)).Error!;

        Assert.Equal(OptionErrorKind.UnknownConfigKey, error.Kind);
        Assert.Equal(setting, error.Setting);
        Assert.DoesNotContain('\n', error.ToString());
    }

    [Fact]
    public void ConfigFile_AkkaSectionAndRoutingNodeName_AreNotRefused()
    {
        var result = Parse("--config", ConfigFile("""
            akka.loglevel = INFO
            routing.node.name = edge-a
            """));

        Assert.Null(result.Error);
    }

    /// <summary>Every shipped config file (a member file together with cluster.conf, as cluster-up runs them) is accepted whole.</summary>
    [Theory]
    [InlineData("node.conf")]
    [InlineData("registrar.conf")]
    [InlineData("proxy.conf")]
    [InlineData("cluster.conf", "node1.conf")]
    [InlineData("cluster.conf", "node2.conf")]
    [InlineData("cluster.conf", "node3.conf")]
    public void ShippedConfigFiles_HaveNoUnknownKey(params string[] files)
    {
        var folder = Path.Combine(EndToEnd.TestEnvironment.RepoRoot, "cluster-config");
        var file = ConfigFile(string.Join('\n', files.Select(f => File.ReadAllText(Path.Combine(folder, f)))));

        // cluster-up passes the PostgreSQL connection as a flag.
        var result = files.Contains("cluster.conf")
            ? Parse("--config", file, "--journal-connection", "Host=127.0.0.1;Username=routing;Database=routing")
            : Parse("--config", file);

        Assert.True(result.Error is null, result.Error?.ToString());
        var options = result.Options!;
        var identity = new Routing.Node.Hosting.NodeIdentity("id", "/tmp", "token", null, "1.0.0");
        Routing.Node.Registrar.RegistrarComposition.Read(options, identity, new Routing.Edge.EdgeOptions());
        Routing.Node.Proxy.ProxyComposition.Read(options, new Routing.Edge.EdgeOptions(), revealUnknownUsers: false);
    }

    [Fact]
    public void ShippedNodeConf_ParsesToTheBuiltInDefaults()
    {
        var shipped = Path.Combine(EndToEnd.TestEnvironment.RepoRoot, "cluster-config", "node.conf");

        var fromFile = Parse("--config", shipped).Options!;
        var defaults = Parse().Options!;

        Assert.Equal(defaults.Sip.Listen, fromFile.Sip.Listen);
        Assert.Equal(defaults.Admin.EndPoint, fromFile.Admin.EndPoint);
        Assert.Equal(defaults.Admin.MetricsOpen, fromFile.Admin.MetricsOpen);
        Assert.Equal(defaults.Storage.DataDirectory, fromFile.Storage.DataDirectory);
        Assert.Equal(defaults.Storage.Journal, fromFile.Storage.Journal);
        Assert.Equal(defaults.Membership.Roles, fromFile.Membership.Roles);
        Assert.Equal(defaults.Membership.AkkaPort, fromFile.Membership.AkkaPort);
        Assert.Equal(defaults.Membership.Seeds, fromFile.Membership.Seeds);
        Assert.Equal(defaults.Auth.Mode, fromFile.Auth.Mode);
        Assert.Equal(defaults.Sip.ReceiveBufferBytes, fromFile.Sip.ReceiveBufferBytes);
        Assert.Equal(defaults.Logging.Level, fromFile.Logging.Level);
    }

    [Fact]
    public void AdminTokenFromEnvironment_UsedWhenNotConfigured()
    {
        var o = NodeCommandLine.Parse([], name => name == NodeCommandLine.AdminTokenEnvironmentVariable ? " env-token " : null).Options!;

        Assert.Equal("env-token", o.Admin.Token);
    }
}
