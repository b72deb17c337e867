using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Routing.Cli.Commands.User;

/// <summary>
/// <c>routectl user import FILE.csv</c>: one <c>AOR,password</c> per line (blank lines and lines starting with '#' are
/// skipped; the password is everything after the first comma). Sent in batches, with a progress bar on stderr.
/// </summary>
public sealed class UserImportCommand : IVerb
{
    /// <summary>Users per request: large enough to keep the node's entities busy, small enough for the HTTP timeout.</summary>
    public const int BatchSize = 2000;

    public string Group => "user";

    public string Name => "import";

    public string Summary => "provision users from a CSV file";

    public int MaxArguments => 1;

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Arguments.Count != 1)
        {
            await context.Error.WriteLineAsync("routectl: user import needs a CSV file of AOR,password lines");
            return ExitCodes.Usage;
        }

        var file = context.Arguments[0];
        List<(string Aor, string Password)> users;
        try
        {
            users = Read(await File.ReadAllLinesAsync(file, cancellationToken).ConfigureAwait(false), out var bad);
            if (bad is not null)
            {
                await context.Error.WriteLineAsync($"routectl: {file}: {bad}");
                return ExitCodes.Usage;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await context.Error.WriteLineAsync($"routectl: cannot read '{file}': {e.Message}");
            return ExitCodes.Usage;
        }

        int created = 0, updated = 0;
        var failed = new List<JsonElement>();
        var started = DateTime.UtcNow;
        for (var offset = 0; offset < users.Count; offset += BatchSize)
        {
            var batch = users.GetRange(offset, Math.Min(BatchSize, users.Count - offset));
            var body = new StringBuilder(batch.Count * 64).Append('[');
            for (var i = 0; i < batch.Count; i++)
            {
                body.Append(i == 0 ? "" : ",").Append(JsonSerializer.Serialize(new { aor = batch[i].Aor, password = batch[i].Password }));
            }

            body.Append(']');
            var response = await context.Client.SendAsync(HttpMethod.Post, "/api/users/import", body.ToString(), cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                await context.Error.WriteLineAsync();
                return NodeReplies.Failure(context, response);
            }

            using (var json = response.TryJson())
            {
                if (json is not null)
                {
                    created += json.RootElement.GetProperty("created").GetInt32();
                    updated += json.RootElement.GetProperty("updated").GetInt32();
                    foreach (var f in json.RootElement.GetProperty("failed").EnumerateArray())
                    {
                        failed.Add(f.Clone());
                    }
                }
            }

            await context.Error.WriteAsync("\r" + Bar(offset + batch.Count, users.Count, DateTime.UtcNow - started));
        }

        await context.Error.WriteLineAsync();
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        if (context.Options.Json)
        {
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(new { total = users.Count, created, updated, failed, seconds }));
        }
        else
        {
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{users.Count} users: {created} created, {updated} updated, {failed.Count} failed in {seconds:0.0} s"));
            foreach (var f in failed)
            {
                await context.Out.WriteLineAsync($"  {NodeReplies.Text(f, "aor")}: {NodeReplies.Text(f, "error")}");
            }
        }

        return failed.Count == 0 ? ExitCodes.Ok : ExitCodes.NodeFailure;
    }

    /// <summary>Parses the CSV; <paramref name="error"/> names the first bad line.</summary>
    internal static List<(string Aor, string Password)> Read(IReadOnlyList<string> lines, out string? error)
    {
        var users = new List<(string, string)>(lines.Count);
        error = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var comma = line.IndexOf(',', StringComparison.Ordinal);
            if (comma <= 0 || comma == line.Length - 1)
            {
                error = $"line {i + 1}: expected AOR,password (e.g. sip:alice@example.com,secret)";
                return users;
            }

            users.Add((line[..comma].Trim(), line[(comma + 1)..]));
        }

        return users;
    }

    internal static string Bar(int done, int total, TimeSpan elapsed)
    {
        const int width = 30;
        var filled = total == 0 ? width : (int)((long)done * width / total);
        var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} users {rate:0}/s");
    }
}
