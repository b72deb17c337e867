using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Cluster;

/// <summary>
/// A PostgreSQL cluster from Debian's <c>pg_virtualenv -t</c> in a temporary folder (as the other PostgreSQL tests
/// and <c>build.ps1 cluster-up</c> start it); it is dropped when its stdin closes.
/// </summary>
internal sealed class ThrowawayPostgres : IDisposable
{
    private readonly ChildProcess _process;

    private ThrowawayPostgres(ChildProcess process, string connection)
    {
        _process = process;
        ConnectionString = connection;
    }

    public string ConnectionString { get; }

    public static async Task<ThrowawayPostgres> StartAsync(string workingDirectory, CancellationToken cancellationToken)
    {
        // A member holds at most two pools of PostgresDataSources.DefaultMaxPoolSize (16) connections: three members
        // need at most 96, and the tests' own clients a few more. A member that went past its bound would make the
        // cluster tests fail with "53300: sorry, too many clients already" (as three unbounded members did at 300).
        var pg = ChildProcess.Start("timeout", [((int)TestEnvironment.Scaled(900).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "pg_virtualenv", "-t", "-o", "max_connections=120", "sh", "-c",
            "echo \"PG|$PGHOST|$PGPORT|$PGUSER|$PGPASSWORD|$PGDATABASE\"; read _"], workingDirectory);
        var deadline = TimeProvider.System.GetTimestamp();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (TimeProvider.System.GetElapsedTime(deadline) < TestEnvironment.Scaled(60) && await poll.WaitForNextTickAsync(cancellationToken))
        {
            foreach (var line in pg.Stdout.Split('\n'))
            {
                if (line.StartsWith("PG|", StringComparison.Ordinal))
                {
                    var p = line.Trim().Split('|');
                    return new ThrowawayPostgres(pg, $"Host={p[1]};Port={p[2]};Username={p[3]};Password={p[4]};Database={p[5]}");
                }
            }

            if (pg.HasExited)
            {
                break;
            }
        }

        var output = pg.Stdout + pg.Stderr;
        pg.Dispose();
        throw new InvalidOperationException("pg_virtualenv did not start a database\n" + output);
    }

    public void Dispose()
    {
        try
        {
            _process.CloseInput();
            _process.WaitForExitAsync(TimeSpan.FromSeconds(20), CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
