using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Routing.Node.Configuration;
using Routing.Node.Hosting;

namespace Routing.Node.Tests.Unit;

public sealed class NodePreflightTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "routing-preflight-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private NodeOptions Options()
    {
        var o = new NodeOptions();
        o.Storage.DataDirectory = _dir;
        return o;
    }

    [Fact]
    public void PrepareDataFolder_SecondCall_KeepsNodeIdAndToken()
    {
        var first = NodePreflight.PrepareDataFolder(Options(), "1");
        var second = NodePreflight.PrepareDataFolder(Options(), "1");

        Assert.Equal(first.NodeId, second.NodeId);
        Assert.Equal(first.AdminToken, second.AdminToken);
        Assert.Equal(Path.Combine(_dir, "admin.token"), first.AdminTokenFile);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void PrepareDataFolder_TokenFile_Mode0600()
    {
        var identity = NodePreflight.PrepareDataFolder(Options(), "1");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(identity.AdminTokenFile!));
    }

    [Fact]
    public void PrepareDataFolder_ConfiguredToken_NoTokenFileWritten()
    {
        var o = Options();
        o.Admin.Token = "configured";

        var identity = NodePreflight.PrepareDataFolder(o, "1");

        Assert.Equal("configured", identity.AdminToken);
        Assert.Null(identity.AdminTokenFile);
        Assert.False(File.Exists(Path.Combine(_dir, "admin.token")));
    }

    [Fact]
    public void PrepareDataFolder_PathBelowAFile_DataFolderNotWritable()
    {
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "file");
        File.WriteAllText(file, "x");
        var o = new NodeOptions();
        o.Storage.DataDirectory = Path.Combine(file, "data");

        var e = Assert.Throws<StartupFailureException>(() => NodePreflight.PrepareDataFolder(o, "1"));

        Assert.Equal(StartupFailureKind.DataFolderNotWritable, e.Failure.Kind);
        Assert.Equal("--data", e.Failure.Setting);
    }

    [Fact]
    public void PrepareSqliteJournal_NewFolder_JournalFileInWalMode()
    {
        var identity = NodePreflight.PrepareDataFolder(Options(), "1");

        var connection = NodePreflight.PrepareSqliteJournal(identity, new StorageOptions());

        using var c = new SqliteConnection(connection);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", cmd.ExecuteScalar() as string);
        Assert.True(File.Exists(Path.Combine(_dir, "journal.db")));
    }

    [Fact]
    public void ProbeTcpPort_PortListening_PortInUseNamingTheSetting()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;

        var e = Assert.Throws<StartupFailureException>(() => NodePreflight.ProbeTcpPort("--admin", "http://" + endpoint, endpoint));

        Assert.Equal(StartupFailureKind.PortInUse, e.Failure.Kind);
        Assert.Equal($"--admin: http://{endpoint} is already in use by another process; choose a free port", e.Failure.ToString());
    }
}
