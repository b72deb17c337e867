using System.Net;
using System.Text.Json;

namespace Routing.Node.Tests.EndToEnd;

/// <summary>
/// The node on PostgreSQL instead of the embedded SQLite file. A throwaway PostgreSQL cluster comes from Debian's
/// pg_virtualenv -t (package postgresql-common, installed by build.ps1 with postgresql) in a temporary folder, so it
/// cannot clash with another cluster on the machine; it lives until its stdin closes, then pg_virtualenv drops it.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PostgresJournalTests : IDisposable
{
    private readonly string _dir = TestEnvironment.TempDirectory();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    private static async Task<string> ConnectionStringAsync(ChildProcess pg)
    {
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(60);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync(TestContext.Current.CancellationToken))
        {
            foreach (var line in pg.Stdout.Split('\n'))
            {
                if (line.StartsWith("PG|", StringComparison.Ordinal))
                {
                    var p = line.Trim().Split('|');
                    return $"Host={p[1]};Port={p[2]};Username={p[3]};Password={p[4]};Database={p[5]}";
                }
            }

            Assert.False(pg.HasExited, "pg_virtualenv ended early\n" + pg.Stdout + pg.Stderr);
        }

        Assert.Fail("pg_virtualenv did not start a cluster in time\n" + pg.Stderr);
        return string.Empty;
    }

    [Fact]
    public async Task JournalPostgres_ReadyAndPersistsItsStart_NotReadyOnceTheDatabaseIsGone()
    {
        using var pg = ChildProcess.Start("timeout", ["180", "pg_virtualenv", "-t", "sh", "-c",
            "echo \"PG|$PGHOST|$PGPORT|$PGUSER|$PGPASSWORD|$PGDATABASE\"; read _"], _dir);
        var connection = await ConnectionStringAsync(pg);
        using var node = new NodeUnderTest(Path.Combine(_dir, "data"));
        var process = ChildProcess.Start("dotnet",
            [TestEnvironment.NodeDll, .. node.Arguments, "--journal", "postgres", "--journal-connection", connection], AppContext.BaseDirectory);
        try
        {
            await WaitReadyAsync(node, process);

            long starts = 0;
            var deadline = DateTime.UtcNow + TestEnvironment.Scaled(20);
            using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            while (starts < 1 && DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync(TestContext.Current.CancellationToken))
            {
                using var response = await node.GetAsync("/api/node", TestContext.Current.CancellationToken);
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                starts = json.RootElement.GetProperty("starts").GetInt64();
                Assert.Equal("postgres", json.RootElement.GetProperty("journal").GetString());
            }

            Assert.Equal(1, starts);
            Assert.False(File.Exists(Path.Combine(node.DataDirectory, "journal.db")));

            // Readiness includes the journal: with the database gone the node must say so.
            pg.CloseInput();
            Assert.True(await pg.WaitForExitAsync(TestEnvironment.Scaled(30), TestContext.Current.CancellationToken), "pg_virtualenv did not stop");
            var reasons = string.Empty;
            deadline = DateTime.UtcNow + TestEnvironment.Scaled(30);
            while (!reasons.Contains("JournalUnavailable", StringComparison.Ordinal) && DateTime.UtcNow < deadline
                && await poll.WaitForNextTickAsync(TestContext.Current.CancellationToken))
            {
                using var health = await node.GetAsync("/api/health", TestContext.Current.CancellationToken);
                reasons = await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                if (reasons.Contains("JournalUnavailable", StringComparison.Ordinal))
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
                }
            }

            Assert.Contains("JournalUnavailable", reasons, StringComparison.Ordinal);
            process.Terminate();
            Assert.True(await process.WaitForExitAsync(TestEnvironment.Scaled(10), TestContext.Current.CancellationToken));
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            process.Dispose();
            if (!pg.HasExited)
            {
                pg.CloseInput();
                await pg.WaitForExitAsync(TestEnvironment.Scaled(30), CancellationToken.None);
            }
        }
    }

    private static async Task WaitReadyAsync(NodeUnderTest node, ChildProcess process)
    {
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(40);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync(TestContext.Current.CancellationToken))
        {
            Assert.False(process.HasExited, "node exited\n" + process.Stderr + process.Stdout);
            if (!File.Exists(node.TokenFile))
            {
                continue;
            }

            try
            {
                using var response = await node.GetAsync("/api/health/ready", TestContext.Current.CancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
        }

        Assert.Fail("node on PostgreSQL not ready in time\n" + process.Stdout);
    }
}
