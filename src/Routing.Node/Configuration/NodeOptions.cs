using System.Net;

namespace Routing.Node.Configuration;

/// <summary>SIP transport kinds a listener can use.</summary>
public enum SipListenTransport
{
    Udp,
    Tcp,
    Tls,
}

/// <summary>One SIP listening socket, as given by <c>--sip udp:IP:PORT</c> or <c>tcp:IP:PORT</c>.</summary>
public sealed record SipListenEndpoint(SipListenTransport Transport, IPEndPoint EndPoint)
{
    public override string ToString() =>
        Transport switch { SipListenTransport.Udp => "udp:", SipListenTransport.Tcp => "tcp:", _ => "tls:" } + EndPoint.ToString();
}

/// <summary>SIP edge settings (HOCON <c>routing.node.sip</c>).</summary>
public sealed class SipOptions
{
    /// <summary>Listening sockets. Default: UDP and TCP on 127.0.0.1:5060.</summary>
    public IReadOnlyList<SipListenEndpoint> Listen { get; set; } =
    [
        new(SipListenTransport.Udp, new IPEndPoint(IPAddress.Loopback, 5060)),
        new(SipListenTransport.Tcp, new IPEndPoint(IPAddress.Loopback, 5060)),
    ];

    /// <summary>SIP domains this node is responsible for, besides its own addresses. Default: none.</summary>
    public IReadOnlyList<string> Domains { get; set; } = [];

    /// <summary>UDP socket receive buffer (SO_RCVBUF) in bytes. Default: 4 MiB, so bursts are not dropped by the kernel.</summary>
    public int ReceiveBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>SO_REUSEPORT on UDP sockets so several edge processes share one address. Default: off.</summary>
    public bool ReusePort { get; set; }

    /// <summary>TLS listener settings (HOCON <c>routing.node.sip.tls</c>).</summary>
    public SipTlsOptions Tls { get; } = new();

    /// <summary>
    /// File holding the flow-token secret (HMAC-SHA256 key, RFC 5626 §5.2), shared by every node of the cluster.
    /// Default: empty, meaning read or create <c>&lt;data&gt;/flow.secret</c> (mode 0600) - fine for one node only.
    /// </summary>
    public string FlowTokenSecretFile { get; set; } = string.Empty;

    /// <summary>Close a TCP/TLS connection after this long without a byte. Default: 300 s.</summary>
    public TimeSpan ConnectionIdleTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Open TCP/TLS connections allowed per remote IP address. Default: 64.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 64;
}

/// <summary>TLS settings for <c>tls:</c> listeners.</summary>
public sealed class SipTlsOptions
{
    /// <summary>PEM server certificate (chain). Required with a tls: listener.</summary>
    public string CertificateFile { get; set; } = string.Empty;

    /// <summary>PEM private key of the server certificate. Required with a tls: listener.</summary>
    public string KeyFile { get; set; } = string.Empty;

    /// <summary>PEM CA bundle client certificates must chain to. Required unless client certificates are off.</summary>
    public string ClientCaFile { get; set; } = string.Empty;

    /// <summary>none, optional or required. Default: none.</summary>
    public Routing.Sip.Transport.ClientCertificateMode ClientCertificate { get; set; }
}

/// <summary>Admin HTTP API settings (HOCON <c>routing.node.admin</c>).</summary>
public sealed class AdminOptions
{
    /// <summary>Where the admin API listens. Default: http://127.0.0.1:9110 (loopback only).</summary>
    public IPEndPoint EndPoint { get; set; } = new(IPAddress.Loopback, 9110);

    /// <summary>Bearer token. Default: empty, meaning read or create <c>&lt;data&gt;/admin.token</c> (mode 0600).</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary>Serve <c>/metrics</c> without a token. Default: off.</summary>
    public bool MetricsOpen { get; set; }

    public string Url => "http://" + EndPoint;
}

/// <summary>Which journal and snapshot store back the node.</summary>
public enum JournalProvider
{
    /// <summary>Embedded SQLite file <c>&lt;data&gt;/journal.db</c>: one host only.</summary>
    Sqlite,
    /// <summary>PostgreSQL (15 or later) given by a connection string: for clusters spread over several hosts.</summary>
    Postgres,
}

/// <summary>Data folder and persistence (HOCON <c>routing.node.data-dir</c>, <c>routing.node.journal</c>).</summary>
public sealed class StorageOptions
{
    /// <summary>Folder for the SQLite journal, the node id and the admin token. Default: ./data.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Journal backend. Default: sqlite.</summary>
    public JournalProvider Journal { get; set; } = JournalProvider.Sqlite;

    /// <summary>Connection string; required for postgres, optional for sqlite (default: Data Source=&lt;data&gt;/journal.db).</summary>
    public string JournalConnection { get; set; } = string.Empty;

    /// <summary>
    /// SQLite only: <c>full</c> fsyncs every commit, so an acknowledged write survives a power loss; <c>normal</c>
    /// fsyncs only at WAL checkpoints, surviving a process crash but possibly losing the last commits on power loss.
    /// Default: full.
    /// </summary>
    public Routing.Cluster.Journal.SqliteSynchronous SqliteSynchronous { get; set; } = Routing.Cluster.Journal.SqliteSynchronous.Full;
}

/// <summary>Cluster membership and remoting (HOCON <c>routing.node.cluster</c>).</summary>
public sealed class MembershipOptions
{
    /// <summary>All roles this node may run.</summary>
    public static readonly IReadOnlyList<string> KnownRoles = ["edge", "routing", "media"];

    /// <summary>Roles this node runs. Default: edge, routing, media.</summary>
    public IReadOnlyList<string> Roles { get; set; } = KnownRoles;

    /// <summary>Akka remoting host. Default: 127.0.0.1.</summary>
    public string AkkaHost { get; set; } = "127.0.0.1";

    /// <summary>Akka remoting port; 0 picks a free one. Default: 4053.</summary>
    public int AkkaPort { get; set; } = 4053;

    /// <summary>Seed nodes as host:port. Default: none, meaning the node forms a cluster of its own by joining itself.</summary>
    public IReadOnlyList<string> Seeds { get; set; } = [];
}

/// <summary>How requests are authenticated (HOCON <c>routing.node.auth</c>); used by the registrar and proxy.</summary>
public enum AuthMode
{
    /// <summary>RFC 3261 §22 digest challenges.</summary>
    Digest,
    /// <summary>No authentication: for closed lab networks only.</summary>
    None,
}

/// <summary>Authentication settings.</summary>
public sealed class AuthOptions
{
    /// <summary>Default: digest.</summary>
    public AuthMode Mode { get; set; } = AuthMode.Digest;
}

/// <summary>Console log format.</summary>
public enum LogFormat
{
    /// <summary>One human-readable line per event: time, level, source (Akka log source or logger category), message.</summary>
    Text,
    /// <summary>Compact JSON (CLEF), one object per line, carrying every structured property.</summary>
    Json,
}

/// <summary>Logging settings (HOCON <c>routing.node.log</c>).</summary>
public sealed class LoggingOptions
{
    /// <summary>Default: text.</summary>
    public LogFormat Format { get; set; } = LogFormat.Text;

    /// <summary>Minimum level. Default: Information.</summary>
    public Serilog.Events.LogEventLevel Level { get; set; } = Serilog.Events.LogEventLevel.Information;
}

/// <summary>The Linux scheduling policy of the node's threads (see <see cref="Hosting.CpuScheduling"/>).</summary>
public enum CpuSchedulingPolicy
{
    /// <summary>SCHED_BATCH: a woken thread waits for the running one's slice instead of preempting it.</summary>
    Batch,

    /// <summary>Left as started (SCHED_OTHER unless the operator set something else, e.g. with chrt).</summary>
    Normal,
}

/// <summary>Everything the node is started with, after defaults, the <c>--config</c> file and flags are applied.</summary>
public sealed class NodeOptions
{
    /// <summary>Scheduling policy of the node's threads on Linux. Default: batch.</summary>
    public CpuSchedulingPolicy CpuScheduling { get; set; } = CpuSchedulingPolicy.Batch;

    public SipOptions Sip { get; } = new();

    public AdminOptions Admin { get; } = new();

    public StorageOptions Storage { get; } = new();

    public MembershipOptions Membership { get; } = new();

    public AuthOptions Auth { get; } = new();

    public LoggingOptions Logging { get; } = new();

    /// <summary>The <c>--config</c> file's contents, passed on to Akka so that its <c>akka { }</c> section applies.</summary>
    public Akka.Configuration.Config? ConfigFile { get; set; }
}
