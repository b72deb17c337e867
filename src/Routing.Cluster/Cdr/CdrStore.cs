using System.Data.Common;
using Routing.Cluster.Dialogs;

namespace Routing.Cluster.Cdr;

/// <summary>One event as the projection reads it from the journal.</summary>
/// <param name="CallId">The dialog (persistence id without its prefix).</param>
/// <param name="Offset">The journal's ordering value (EventsByTag offset).</param>
public sealed record CdrInput(string CallId, long Offset, IDialogEvent Event);

/// <summary>A filter for <see cref="ICdrStore.QueryAsync"/>.</summary>
/// <param name="User">Only calls where this AOR is caller or callee.</param>
/// <param name="Since">Only calls set up at or after this time.</param>
/// <param name="ActiveOnly">Only calls not yet ended.</param>
public sealed record CdrQuery(string? User = null, DateTimeOffset? Since = null, int Limit = 1000, bool ActiveOnly = false);

/// <summary>Where CDRs and the projection's offset live.</summary>
public interface ICdrStore
{
    /// <summary>Creates the tables when missing.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The offset of the last event applied; 0 when none.</summary>
    Task<long> LoadOffsetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Folds the events into their rows and stores rows and the last offset in one transaction, so a crash between
    /// batches replays nothing twice and loses nothing (effectively exactly once).
    /// </summary>
    Task ApplyAsync(IReadOnlyList<CdrInput> batch, CancellationToken cancellationToken);

    /// <summary>Records newest first.</summary>
    Task<IReadOnlyList<CdrRecord>> QueryAsync(CdrQuery query, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="ICdrStore"/> over ADO.NET, for SQLite and PostgreSQL (the journal's database: one place to back up).
/// Times are Unix milliseconds (UTC) in BIGINT columns so both engines compare them the same way.
/// </summary>
public sealed class SqlCdrStore : ICdrStore
{
    /// <summary>The projection's name in <c>cdr_offset</c>.</summary>
    public const string ProjectionName = "cdr";

    private const string Columns =
        "call_id, caller_aor, callee_aor, source_ip, source_port, transport, user_agent, device_instance, tls_fingerprint, " +
        "branches_tried, answering_device, setup_time, ring_time, answer_time, end_time, duration_ms, final_status, hung_up_by, end_reason";

    private readonly DbProviderFactory _factory;
    private readonly string _connectionString;
    private volatile bool _initialized;

    public SqlCdrStore(DbProviderFactory factory, string connectionString)
    {
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        _connectionString = connectionString;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_initialized)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, """
            CREATE TABLE IF NOT EXISTS cdr (
              call_id TEXT PRIMARY KEY, caller_aor TEXT, callee_aor TEXT, source_ip TEXT, source_port INTEGER, transport TEXT,
              user_agent TEXT, device_instance TEXT, tls_fingerprint TEXT, branches_tried INTEGER NOT NULL,
              answering_device TEXT, setup_time BIGINT, ring_time BIGINT, answer_time BIGINT, end_time BIGINT,
              duration_ms BIGINT, final_status INTEGER, hung_up_by TEXT, end_reason TEXT)
            """, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "CREATE INDEX IF NOT EXISTS cdr_setup_time ON cdr (setup_time)", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null,
            "CREATE TABLE IF NOT EXISTS cdr_offset (projection TEXT PRIMARY KEY, offset_value BIGINT NOT NULL)", cancellationToken).ConfigureAwait(false);
        _initialized = true;
    }

    public async Task<long> LoadOffsetAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT offset_value FROM cdr_offset WHERE projection = @p";
        Add(command, "@p", ProjectionName);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ApplyAsync(IReadOnlyList<CdrInput> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // Rows are read and folded before the write transaction: the projection is the table's only writer (a
        // singleton), so nothing can change them in between, and the write lock (which SQLite shares with the
        // journal writer on the same file) is held only for the upserts. Reading inside the transaction held it for
        // one SELECT per call as well, and the journal writer (BYE waits for its commit) slept in its busy handler.
        var rows = new Dictionary<string, CdrRecord?>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var input in batch)
        {
            if (!rows.TryGetValue(input.CallId, out var row))
            {
                row = await LoadAsync(connection, null, input.CallId, cancellationToken).ConfigureAwait(false);
            }

            rows[input.CallId] = CdrRecord.Apply(row, input.CallId, input.Event);
            offset = Math.Max(offset, input.Offset);
        }

        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var upsert = CreateUpsert(connection, tx))
        {
            foreach (var row in rows.Values)
            {
                await UpsertAsync(upsert, row!, cancellationToken).ConfigureAwait(false);
            }
        }

        await using (var command = connection.CreateCommand())
        {
            command.Transaction = tx;
            command.CommandText = "INSERT INTO cdr_offset (projection, offset_value) VALUES (@p, @o) " +
                                  "ON CONFLICT (projection) DO UPDATE SET offset_value = excluded.offset_value";
            Add(command, "@p", ProjectionName);
            Add(command, "@o", offset);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CdrRecord>> QueryAsync(CdrQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        if (query.User is not null)
        {
            where.Add("(caller_aor = @u OR callee_aor = @u)");
            Add(command, "@u", query.User);
        }

        if (query.Since is { } since)
        {
            where.Add("setup_time >= @s");
            Add(command, "@s", since.ToUnixTimeMilliseconds());
        }

        if (query.ActiveOnly)
        {
            where.Add("end_time IS NULL");
        }

        command.CommandText = "SELECT " + Columns + " FROM cdr" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty)
                              + " ORDER BY setup_time DESC LIMIT @limit";
        Add(command, "@limit", Math.Clamp(query.Limit, 1, 100_000));
        var result = new List<CdrRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(Read(reader));
        }

        return result;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = _factory.CreateConnection() ?? throw new InvalidOperationException("the provider made no connection");
        connection.ConnectionString = _connectionString;
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static async Task<CdrRecord?> LoadAsync(DbConnection connection, DbTransaction? tx, string callId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT " + Columns + " FROM cdr WHERE call_id = @id";
        Add(command, "@id", callId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    private static readonly string UpsertSql = BuildUpsertSql();

    private static string BuildUpsertSql()
    {
        var names = Columns.Split(", ");
        var values = new string[names.Length];
        var updates = new List<string>(names.Length);
        for (var i = 0; i < names.Length; i++)
        {
            values[i] = "@c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (i > 0)
            {
                updates.Add(names[i] + " = excluded." + names[i]);
            }
        }

        return "INSERT INTO cdr (" + Columns + ") VALUES (" + string.Join(", ", values) + ") ON CONFLICT (call_id) DO UPDATE SET "
               + string.Join(", ", updates);
    }

    /// <summary>One upsert command for a whole batch (parameters set per row), so the statement is prepared once.</summary>
    private static DbCommand CreateUpsert(DbConnection connection, DbTransaction tx)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = UpsertSql;
        for (var i = 0; i < Columns.Split(", ").Length; i++)
        {
            Add(command, "@c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
        }

        return command;
    }

    private static async Task UpsertAsync(DbCommand command, CdrRecord r, CancellationToken cancellationToken)
    {
        object?[] row =
        [
            r.CallId, r.CallerAor, r.CalleeAor, r.SourceIp, r.SourcePort, r.Transport, r.UserAgent, r.DeviceInstance, r.TlsFingerprint,
            r.BranchesTried, r.AnsweringDevice, Ms(r.SetupTime), Ms(r.RingTime), Ms(r.AnswerTime), Ms(r.EndTime), r.DurationMs,
            r.FinalStatus, r.HungUpBy, r.EndReason,
        ];
        for (var i = 0; i < row.Length; i++)
        {
            command.Parameters[i].Value = row[i] ?? DBNull.Value;
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static CdrRecord Read(DbDataReader r) => new()
    {
        CallId = r.GetString(0),
        CallerAor = Str(r, 1),
        CalleeAor = Str(r, 2),
        SourceIp = Str(r, 3),
        SourcePort = r.IsDBNull(4) ? null : Convert.ToInt32(r.GetValue(4), System.Globalization.CultureInfo.InvariantCulture),
        Transport = Str(r, 5),
        UserAgent = Str(r, 6),
        DeviceInstance = Str(r, 7),
        TlsFingerprint = Str(r, 8),
        BranchesTried = Convert.ToInt32(r.GetValue(9), System.Globalization.CultureInfo.InvariantCulture),
        AnsweringDevice = Str(r, 10),
        SetupTime = Time(r, 11),
        RingTime = Time(r, 12),
        AnswerTime = Time(r, 13),
        EndTime = Time(r, 14),
        DurationMs = r.IsDBNull(15) ? null : Convert.ToInt64(r.GetValue(15), System.Globalization.CultureInfo.InvariantCulture),
        FinalStatus = r.IsDBNull(16) ? null : Convert.ToInt32(r.GetValue(16), System.Globalization.CultureInfo.InvariantCulture),
        HungUpBy = Str(r, 17),
        EndReason = Str(r, 18),
    };

    private static string? Str(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset? Time(DbDataReader r, int i) =>
        r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));

    private static long? Ms(DateTimeOffset? t) => t?.ToUnixTimeMilliseconds();

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
    }
}
