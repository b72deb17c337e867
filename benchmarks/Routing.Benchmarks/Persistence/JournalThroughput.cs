using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Microsoft.Data.Sqlite;
using Routing.Cluster.Journal;

namespace Routing.Benchmarks.Persistence;

/// <summary>
/// N persistent actors, each persisting M events one after the other (Persist, as the registrar's write-through does),
/// against a real SQLite file in WAL mode: Akka.Persistence.Sql 1.5.73 (as the node configured it before, parallelism 1)
/// versus <see cref="SqliteJournal"/>. Prints persists/s and process CPU per persist.
/// <code>dotnet run -c Release --project benchmarks/Routing.Benchmarks -- journal [actors] [events] [full|normal]</code>
/// </summary>
public static class JournalThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var actors = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var events = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 25;
        var sync = args.Length > 3 ? args[3] : "full";
        Console.WriteLine($"journal throughput: {actors} actors x {events} Persist, SQLite WAL, synchronous={sync}, {Environment.ProcessorCount} cores");
        Console.WriteLine("| journal | persists | wall s | persists/s | CPU µs/persist |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var plugin in new[] { "akka-persistence-sql", "group-commit" })
        {
            await RunOneAsync(plugin, actors, events, sync).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task RunOneAsync(string plugin, int actors, int events, string sync)
    {
        var folder = Path.Combine(Path.GetTempPath(), "journal-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var connection = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(folder, "journal.db"), Pooling = true, DefaultTimeout = 30,
        }.ToString();
        using (var c = new SqliteConnection(connection))
        {
            c.Open();
            using var command = c.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            command.ExecuteNonQuery();
        }

        var journalClass = plugin == "group-commit"
            ? typeof(SqliteJournal).AssemblyQualifiedName
            : "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql";
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.persistence.journal.plugin = "akka.persistence.journal.sql"
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            akka.persistence.journal.sql {
              class = "{{journalClass}}"
              connection-string = "{{connection}}"
              provider-name = "SQLite.MS"
              parallelism = 1
              sqlite-synchronous = {{sync}}
            }
            """);
        var system = ActorSystem.Create("bench", config);
        try
        {
            // Warm-up: JIT, table creation, connection pool.
            await RunActorsAsync(system, "warm", 20, 5).ConfigureAwait(false);
            var process = Process.GetCurrentProcess();
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await RunActorsAsync(system, "run", actors, events).ConfigureAwait(false);
            clock.Stop();
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpu0;
            var total = actors * events;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {plugin} | {total} | {clock.Elapsed.TotalSeconds:F2} | {total / clock.Elapsed.TotalSeconds:F0} | {cpu.TotalMicroseconds / total:F0} |"));
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task RunActorsAsync(ActorSystem system, string prefix, int actors, int events)
    {
        var done = new Task[actors];
        for (var i = 0; i < actors; i++)
        {
            var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done[i] = completion.Task;
            system.ActorOf(Props.Create(() => new BenchActor(prefix + "-" + i, events, completion)));
        }

        await Task.WhenAll(done).WaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(false);
    }

    private sealed class BenchActor : PersistentActor
    {
        // About the size of a serialized registration event (107 bytes in a node's journal).
        private static readonly string Payload = new('x', 100);
        private readonly int _events;
        private readonly TaskCompletionSource _done;

        public BenchActor(string persistenceId, int events, TaskCompletionSource done)
        {
            PersistenceId = persistenceId;
            _events = events;
            _done = done;
        }

        public override string PersistenceId { get; }

        protected override bool ReceiveRecover(object message)
        {
            if (message is RecoveryCompleted)
            {
                Self.Tell(0);
            }

            return true;
        }

        protected override bool ReceiveCommand(object message)
        {
            Persist(Payload, _ =>
            {
                if (LastSequenceNr >= _events)
                {
                    _done.TrySetResult();
                    Context.Stop(Self);
                }
                else
                {
                    Self.Tell(0);
                }
            });
            return true;
        }

        protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
        {
            _done.TrySetException(cause);
            base.OnPersistFailure(cause, @event, sequenceNr);
        }
    }
}
