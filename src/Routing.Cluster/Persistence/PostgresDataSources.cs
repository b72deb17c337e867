using System.Data.Common;
using Npgsql;

namespace Routing.Cluster.Journal;

/// <summary>
/// One Npgsql data source (one connection pool) per connection string for the process, shared by the journals (app
/// and sharding) and the snapshot store, and released when the last of them stops. Each plugin used to create its own
/// data source, so a node held up to three pools of Npgsql's default 100 connections besides Akka.Persistence.Sql's:
/// after a rolling restart, the recoveries of the shards handed to the restarted member opened connections in every
/// pool at once, and three members went past PostgreSQL's max_connections ("53300: sorry, too many clients already"),
/// failing those recoveries. With one pool bounded by <c>Maximum Pool Size</c> (<see cref="WithPoolBound"/>), a burst
/// of recoveries waits for a free connection instead.
/// </summary>
public static class PostgresDataSources
{
    /// <summary>The pool bound a node applies when its connection string names none (Npgsql's own default is 100).</summary>
    public const int DefaultMaxPoolSize = 16;

    // Statements are prepared on each pooled connection the first times they run (Npgsql auto-prepare): the journal's
    // replay and highest-number reads, the snapshot load and the writer's inserts.
    private const int DefaultMaxAutoPrepare = 16;

    private static readonly string[] PoolSizeKeywords = ["maximum pool size", "maxpoolsize"];

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Shared> ByConnectionString = new(StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="connectionString"/> with <c>Maximum Pool Size</c> set to <see cref="DefaultMaxPoolSize"/> (or to
    /// its <c>Minimum Pool Size</c>, if larger) unless it names a bound of its own. Each node holds at most two pools on
    /// it: this class's and the one Npgsql keeps for Akka.Persistence.Sql's plugins and the CDR store (same string, same
    /// pool). Throws <see cref="ArgumentException"/> for a string Npgsql does not accept, checked as a data source
    /// would check it (no connection is made): an unknown key or bad value, no host, a minimum above the maximum.
    /// </summary>
    public static string WithPoolBound(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var bounded = false;
        foreach (string key in given.Keys)
        {
            bounded |= Array.IndexOf(PoolSizeKeywords, key.ToLowerInvariant()) >= 0;
        }

        if (!bounded)
        {
            builder.MaxPoolSize = Math.Max(DefaultMaxPoolSize, builder.MinPoolSize);
        }

        using (NpgsqlDataSource.Create(builder.ConnectionString))
        {
            // Created only for Npgsql's own checks of the settings together.
        }

        return builder.ConnectionString;
    }

    /// <summary>The shared data source for <paramref name="connectionString"/>; give it back with <see cref="Release"/>.</summary>
    public static NpgsqlDataSource Rent(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = DefaultMaxAutoPrepare;
        }

        var key = builder.ConnectionString;
        lock (Gate)
        {
            if (!ByConnectionString.TryGetValue(key, out var shared))
            {
                shared = new Shared(NpgsqlDataSource.Create(key));
                ByConnectionString.Add(key, shared);
            }

            shared.Leases++;
            return shared.Source;
        }
    }

    /// <summary>Gives back a data source from <see cref="Rent"/>; the last release closes its pool.</summary>
    public static void Release(NpgsqlDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        lock (Gate)
        {
            foreach (var (key, shared) in ByConnectionString)
            {
                if (ReferenceEquals(shared.Source, source))
                {
                    if (--shared.Leases == 0)
                    {
                        ByConnectionString.Remove(key);
                        source.Dispose();
                    }

                    return;
                }
            }
        }

        throw new InvalidOperationException("this data source was not rented here, or was released already");
    }

    private sealed class Shared(NpgsqlDataSource source)
    {
        public NpgsqlDataSource Source { get; } = source;

        public int Leases { get; set; }
    }
}
