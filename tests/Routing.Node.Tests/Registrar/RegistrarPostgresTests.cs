using System.Globalization;
using Routing.Node.Tests.Cluster;
using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Registrar;

/// <summary>
/// The registrar on PostgreSQL (<c>--journal postgres</c>) against a throwaway database: users imported with routectl,
/// registered with digest by SIPp, and every binding still listed after the node restarts.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RegistrarPostgresTests
{
    private const int UserCount = 2000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task JournalPostgres_2000DigestRegistrations_EveryUnexpiredBindingListedAfterARestart()
    {
        var dir = TestEnvironment.TempDirectory();
        using var pg = await ThrowawayPostgres.StartAsync(dir, Ct);
        var node = new RegistrarNode { ExtraArguments = ["--journal", "postgres", "--journal-connection", pg.ConnectionString] };
        try
        {
            await node.InitializeAsync();
            var users = new List<(string User, string Password)>(UserCount + 1);
            var csv = Path.Combine(node.DataDirectory, "pg-users.csv");
            await using (var writer = File.CreateText(csv))
            {
                for (var i = 0; i <= UserCount; i++)
                {
                    users.Add(("pg" + i.ToString(CultureInfo.InvariantCulture), "pg-pw" + i.ToString(CultureInfo.InvariantCulture)));
                    await writer.WriteLineAsync($"sip:{users[i].User}@{RegistrarNode.Domain},{users[i].Password}");
                }
            }

            using (var import = await node.RoutectlWithinAsync(TestEnvironment.Scaled(120), Ct, "user", "import", csv))
            {
                Assert.True(import.ExitCode == 0, import.Stdout + import.Stderr);
                Assert.Contains(", 0 failed", import.Stdout, StringComparison.Ordinal);
            }

            // The last user registers for 6 s only: its binding must be gone after the restart, the others kept.
            var brief = users[^1];
            users.RemoveAt(users.Count - 1);
            using (var sipp = await node.SippRegisterAsync(users, "127.0.0.1", rate: 200, expires: 3600, Ct))
            {
                Assert.True(sipp.ExitCode == 0, $"sipp exit {sipp.ExitCode}\n{sipp.Stdout}\n{sipp.Stderr}");
            }

            using (var sipp = await node.SippRegisterAsync([brief], "127.0.0.1", rate: 10, expires: 6, Ct))
            {
                Assert.True(sipp.ExitCode == 0, $"sipp exit {sipp.ExitCode}\n{sipp.Stdout}\n{sipp.Stderr}");
            }

            await node.StopAsync(Ct);
            Assert.False(File.Exists(Path.Combine(node.DataDirectory, "journal.db")), "the node wrote to SQLite instead of PostgreSQL");
            // Every user snapshotted (RegistrarNode: snapshot-every = 2), one row each: PostgresSnapshotStore keeps the
            // newest only, and its table has no index on created (Akka.Persistence.Sql's store would have made one).
            using (var source = Npgsql.NpgsqlDataSource.Create(pg.ConnectionString))
            {
                using var rows = source.CreateCommand("SELECT COUNT(*) FROM snapshot WHERE persistence_id LIKE 'user-sip:pg%'");
                Assert.Equal((long)UserCount + 1, (long)(await rows.ExecuteScalarAsync(Ct))!);
                using var index = source.CreateCommand("SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'snapshot_created_idx'");
                Assert.Equal(0L, (long)(await index.ExecuteScalarAsync(Ct))!);
            }

            await node.StartAsync(Ct);

            var missing = new System.Collections.Concurrent.ConcurrentBag<string>();
            await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = Ct }, async (u, token) =>
            {
                using var doc = await node.UserAsync(u.User, token);
                if (doc is null || doc.RootElement.GetProperty("bindings").GetArrayLength() != 1)
                {
                    missing.Add(u.User);
                }
            });
            Assert.True(missing.IsEmpty, $"{missing.Count} bindings lost, e.g. {string.Join(", ", missing.Take(5))}");

            // 2000 recoveries at once, and the node's connections stayed within its two bounded pools
            // (PostgresDataSources.WithPoolBound): ours for the journals and snapshots, Npgsql's for Akka.Persistence.Sql.
            using (var source = Npgsql.NpgsqlDataSource.Create(pg.ConnectionString))
            {
                using var clients = source.CreateCommand(
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
                var held = (long)(await clients.ExecuteScalarAsync(Ct))!;
                TestContext.Current.TestOutputHelper?.WriteLine($"connections held by the node after 2000 recoveries: {held}");
                Assert.InRange(held, 1, 2 * Routing.Cluster.Journal.PostgresDataSources.DefaultMaxPoolSize);
            }

            // Expired while the node was down or since: not listed (the entity expires it on recovery).
            var deadline = DateTime.UtcNow + TestEnvironment.Scaled(20);
            using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
            var remaining = -1;
            while (remaining != 0 && DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync(Ct))
            {
                using var doc = await node.UserAsync(brief.User, Ct);
                remaining = doc!.RootElement.GetProperty("bindings").GetArrayLength();
            }

            Assert.Equal(0, remaining);
        }
        finally
        {
            await node.DisposeAsync();
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }
}
