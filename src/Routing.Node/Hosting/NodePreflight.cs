using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Routing.Node.Configuration;
using Routing.Sip.Transport;

namespace Routing.Node.Hosting;

/// <summary>The SIP sockets bound before anything else started; handed to the SIP listener service.</summary>
public sealed class BoundSipListeners : IAsyncDisposable
{
    public List<UdpSipListener> Udp { get; } = [];

    /// <summary>TCP and TLS listeners.</summary>
    public List<TcpSipListener> Tcp { get; } = [];

    /// <summary>Every flow of the node: UDP sockets, connections, outbound connectors.</summary>
    public SipFlowTable Flows { get; } = new();

    public async ValueTask DisposeAsync()
    {
        foreach (var u in Udp)
        {
            await u.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var t in Tcp)
        {
            await t.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Checks that need the machine, run before Akka starts so that an operator gets one clear line instead of a
/// half-started cluster member: the data folder is writable, the SQLite journal opens (and is switched to WAL), the
/// SIP sockets bind (they stay bound and are used as they are), and the admin and remoting ports are free.
/// </summary>
public static class NodePreflight
{
    public const string NodeIdFile = "node.id";
    public const string AdminTokenFile = "admin.token";
    public const string SqliteFile = "journal.db";
    public const string FlowSecretFile = "flow.secret";

    public static string VersionOf(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var info = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return string.IsNullOrEmpty(info) ? assembly.GetName().Version?.ToString() ?? "0.0.0" : info;
    }

    /// <summary>Prepares the data folder and identity; throws <see cref="StartupFailureException"/> on failure.</summary>
    public static NodeIdentity PrepareDataFolder(NodeOptions options, string version)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dir = Path.GetFullPath(options.Storage.DataDirectory);
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw Fail(StartupFailureKind.DataFolderNotWritable, "--data", $"the data folder '{dir}' is not writable: {e.Message}");
        }

        var nodeId = ReadOrCreate(Path.Combine(dir, NodeIdFile), () => Guid.NewGuid().ToString("N"), "--data");
        string token;
        string? tokenFile = null;
        if (!string.IsNullOrEmpty(options.Admin.Token))
        {
            token = options.Admin.Token;
        }
        else
        {
            tokenFile = Path.Combine(dir, AdminTokenFile);
            token = ReadOrCreate(tokenFile, NewToken, "admin.token");
        }

        return new NodeIdentity(nodeId, dir, token, tokenFile, version);
    }

    /// <summary>Opens (creating if needed) the SQLite journal file and switches it to WAL, which persists in the file.</summary>
    public static string PrepareSqliteJournal(NodeIdentity identity, StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(storage);
        var path = Path.Combine(identity.DataDirectory, SqliteFile);
        var connectionString = string.IsNullOrWhiteSpace(storage.JournalConnection)
            ? new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString()
            : storage.JournalConnection;
        try
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            // SQLite: one writer at a time even in WAL, but readers no longer block it (akka-notes §3.1, §3.3).
            command.CommandText = "PRAGMA journal_mode=WAL;";
            var mode = command.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase) && !string.Equals(mode, "memory", StringComparison.OrdinalIgnoreCase))
            {
                throw Fail(StartupFailureKind.JournalFileUnusable, "--data", $"the journal '{path}' cannot use WAL mode (got '{mode}'); put the data folder on a local file system");
            }
        }
        catch (SqliteException e)
        {
            throw Fail(StartupFailureKind.JournalFileUnusable, "--data", $"the journal '{path}' cannot be opened: {e.Message}");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }

        return connectionString;
    }

    /// <summary>Binds every SIP listener; on failure the ones already bound are closed.</summary>
    public static async Task<BoundSipListeners> BindSipAsync(SipOptions sip, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(sip);
        ArgumentNullException.ThrowIfNull(loggers);
        var bound = new BoundSipListeners();
        System.Net.Security.SslServerAuthenticationOptions? tls = null;
        try
        {
            foreach (var listen in sip.Listen)
            {
                try
                {
                    if (listen.Transport == SipListenTransport.Udp)
                    {
                        var udp = UdpSipListener.Bind(listen.EndPoint, sip.ReceiveBufferBytes, loggers.CreateLogger<UdpSipListener>(), reusePort: sip.ReusePort);
                        bound.Udp.Add(udp);
                        bound.Flows.AddUdp(udp.LocalEndPoint, udp);
                    }
                    else
                    {
                        var stream = TcpSipListener.Bind(listen.EndPoint, loggers.CreateLogger<TcpSipListener>(), new StreamListenerOptions
                        {
                            Tls = listen.Transport == SipListenTransport.Tls ? tls ??= LoadTls(sip.Tls) : null,
                            IdleTimeout = sip.ConnectionIdleTimeout,
                            MaxConnectionsPerAddress = sip.MaxConnectionsPerAddress,
                            Flows = bound.Flows,
                        });
                        bound.Tcp.Add(stream);
                        bound.Flows.AddConnector(stream);
                    }
                }
                catch (SocketException e)
                {
                    throw SocketFailure("--sip", listen.ToString(), e);
                }
            }

            return bound;
        }
        catch
        {
            await bound.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static System.Net.Security.SslServerAuthenticationOptions LoadTls(SipTlsOptions tls)
    {
        var error = SipTlsServer.TryCreate(tls.CertificateFile, tls.KeyFile, tls.ClientCaFile, tls.ClientCertificate, out var options, out var detail);
        return error switch
        {
            SipTlsLoadError.None => options!,
            SipTlsLoadError.CertificateUnreadable => throw Fail(StartupFailureKind.TlsUnusable, "--tls-cert", detail),
            _ => throw Fail(StartupFailureKind.TlsUnusable, "--tls-client-ca", detail),
        };
    }

    /// <summary>
    /// The flow-token secret (RFC 5626 §5.2): the configured file, or <c>&lt;data&gt;/flow.secret</c> created with 32
    /// random bytes (mode 0600). Every node of a cluster must be given the same file.
    /// </summary>
    public static byte[] LoadFlowSecret(SipOptions sip, NodeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(sip);
        ArgumentNullException.ThrowIfNull(identity);
        if (!string.IsNullOrEmpty(sip.FlowTokenSecretFile))
        {
            try
            {
                var text = File.ReadAllText(sip.FlowTokenSecretFile).Trim();
                if (text.Length < 16)
                {
                    throw Fail(StartupFailureKind.FlowSecretUnusable, "--flow-secret", $"'{sip.FlowTokenSecretFile}' must hold at least 16 characters");
                }

                return System.Text.Encoding.UTF8.GetBytes(text);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Fail(StartupFailureKind.FlowSecretUnusable, "--flow-secret", $"cannot read '{sip.FlowTokenSecretFile}': {e.Message}");
            }
        }

        var secret = ReadOrCreate(Path.Combine(identity.DataDirectory, FlowSecretFile), NewToken, "--data");
        return System.Text.Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>Binds and releases a TCP port to find out whether it is free right now.</summary>
    public static void ProbeTcpPort(string setting, string shown, IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (endPoint.Port == 0)
        {
            return;
        }

        using var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            SocketReuse.AllowTimeWaitRebind(socket);
            socket.Bind(endPoint);
            socket.Listen(1);
        }
        catch (SocketException e)
        {
            throw SocketFailure(setting, shown, e);
        }
    }

    internal static StartupFailureException SocketFailure(string setting, string shown, SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => Fail(StartupFailureKind.PortInUse, setting, $"{shown} is already in use by another process; choose a free port"),
        SocketError.AddressNotAvailable => Fail(StartupFailureKind.AddressNotAvailable, setting, $"{shown}: the address is not on this host; use one of its IP addresses"),
        SocketError.AccessDenied => Fail(StartupFailureKind.PermissionDenied, setting, $"{shown}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)"),
        _ => Fail(StartupFailureKind.SocketError, setting, $"{shown} cannot be bound: {e.Message}"),
    };

    private static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string ReadOrCreate(string path, Func<string> create, string setting)
    {
        try
        {
            if (File.Exists(path))
            {
                var existing = File.ReadAllText(path).Trim();
                if (existing.Length > 0)
                {
                    return existing;
                }
            }

            var value = create();
            var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                // The admin token is a secret: owner read/write only (0600), set at creation so it is never wider.
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(path, fileOptions))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(value);
                writer.Write('\n');
            }

            return value;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Fail(setting == "--data" ? StartupFailureKind.DataFolderNotWritable : StartupFailureKind.AdminTokenUnusable, setting,
                $"'{path}' cannot be read or written: {e.Message}");
        }
    }

    private static StartupFailureException Fail(StartupFailureKind kind, string setting, string detail) =>
        new(new StartupFailure(kind, setting, detail));
}
