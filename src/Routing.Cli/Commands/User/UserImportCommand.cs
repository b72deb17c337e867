using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Routing.Cli.Commands.User;

/// <summary>
/// <c>routectl user import FILE.csv</c>: one <c>AOR,password</c> per line (blank lines and lines starting with '#' are
/// skipped; the password is everything after the first comma). The file is streamed in batches of
/// <see cref="BatchSize"/> lines to <c>POST /api/users/batch</c>, <see cref="BatchesInFlight"/> at a time, so the node
/// always has entities to provision while the next batch travels. A bad line is reported with its number and the
/// import goes on; the exit code is 1 when any line was not applied.
/// </summary>
public sealed class UserImportCommand : IVerb
{
    /// <summary>Lines per request: the node provisions a batch with up to 512 entities in flight.</summary>
    public const int BatchSize = 2000;

    /// <summary>Batches sent before the first answer is awaited.</summary>
    public const int BatchesInFlight = 2;

    /// <summary>One batch may take long on a busy journal; --timeout applies when it is longer.</summary>
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromMinutes(5);

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
        int total;
        try
        {
            total = await CountAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await context.Error.WriteLineAsync($"routectl: cannot read '{file}': {e.Message}");
            return ExitCodes.Usage;
        }

        var progress = new ImportProgress(context.Error,
            context.Options.Json ? ImportProgress.Style.None : context.ErrorIsTerminal ? ImportProgress.Style.Bar : ImportProgress.Style.Lines, total);
        var result = new ImportResult();
        var pending = new List<Task<(AdminResponse Response, int Lines)>>(BatchesInFlight);
        AdminResponse? refused = null;
        try
        {
            using var reader = new StreamReader(file);
            var batch = new List<ImportLine>(BatchSize);
            var number = 0;
            while (refused is null)
            {
                var text = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (text is not null)
                {
                    number++;
                    switch (Parse(text, number, out var line, out var error))
                    {
                        case LineKind.Skip:
                            continue;
                        case LineKind.Invalid:
                            result.Failed.Add(new ImportFailure(number, line.Aor, error!));
                            progress.Advance(1, report: false);
                            continue;
                        default:
                            batch.Add(line);
                            break;
                    }

                    if (batch.Count < BatchSize)
                    {
                        continue;
                    }
                }

                if (batch.Count > 0)
                {
                    pending.Add(SendAsync(context.Client, batch, cancellationToken));
                    batch = new List<ImportLine>(BatchSize);
                }

                while (pending.Count >= (text is null ? 1 : BatchesInFlight) && refused is null)
                {
                    refused = await CollectAsync(pending, result, progress).ConfigureAwait(false);
                }

                if (text is null)
                {
                    break;
                }
            }
        }
        catch (NodeUnreachableException)
        {
            // End the bar's line before the caller prints why.
            progress.Finish();
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            progress.Finish();
            await context.Error.WriteLineAsync($"routectl: cannot read '{file}': {e.Message}");
            return ExitCodes.Usage;
        }
        finally
        {
            // Answers still in flight after a refusal are awaited so that no request outlives the command.
            foreach (var p in pending)
            {
                await ((Task)p).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        progress.Finish();
        if (refused is not null)
        {
            return NodeReplies.Failure(context, refused);
        }

        result.Failed.Sort((a, b) => a.Line.CompareTo(b.Line));
        var seconds = progress.Elapsed.TotalSeconds;
        if (context.Options.Json)
        {
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(new
            {
                total,
                created = result.Created,
                updated = result.Updated,
                failed = result.Failed.ConvertAll(f => new { line = f.Line, aor = f.Aor, error = f.Error }),
                seconds = Math.Round(seconds, 3),
            }));
        }
        else
        {
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{total} users: {result.Created} created, {result.Updated} updated, {result.Failed.Count} failed in {seconds:0.0} s"));
            foreach (var f in result.Failed)
            {
                await context.Out.WriteLineAsync(f.Aor.Length == 0 ? $"  line {f.Line}: {f.Error}" : $"  line {f.Line}: {f.Aor}: {f.Error}");
            }
        }

        return result.Failed.Count == 0 ? ExitCodes.Ok : ExitCodes.NodeFailure;
    }

    /// <summary>What a line of the file is (public for the tests' theory data).</summary>
    public enum LineKind
    {
        Skip,
        User,
        Invalid,
    }

    /// <summary>Reads one line: blank and '#' lines are skipped; otherwise AOR before the first comma, the password after it.</summary>
    internal static LineKind Parse(string text, int number, out ImportLine line, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty || trimmed[0] == '#')
        {
            line = default;
            return LineKind.Skip;
        }

        var comma = trimmed.IndexOf(',');
        if (comma <= 0 || comma == trimmed.Length - 1)
        {
            line = new ImportLine(number, (comma > 0 ? trimmed[..comma] : trimmed).Trim().ToString(), string.Empty);
            error = "expected AOR,password (e.g. sip:alice@example.com,secret)";
            return LineKind.Invalid;
        }

        // The password is taken as written: only the line's leading blanks (before the AOR) are not part of it.
        line = new ImportLine(number, trimmed[..comma].Trim().ToString(), text[(text.IndexOf(',', StringComparison.Ordinal) + 1)..]);
        return LineKind.User;
    }

    /// <summary>Data lines in the file (for the progress total); a cheap pass that reads no line twice into memory.</summary>
    private static async Task<int> CountAsync(string file, CancellationToken cancellationToken)
    {
        var count = 0;
        using var reader = new StreamReader(file);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            var trimmed = text.AsSpan().TrimStart();
            if (!trimmed.IsEmpty && trimmed[0] != '#')
            {
                count++;
            }
        }

        return count;
    }

    private static async Task<(AdminResponse Response, int Lines)> SendAsync(AdminClient client, List<ImportLine> batch, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(batch.Count * 80);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var line in batch)
            {
                json.WriteStartObject();
                json.WriteNumber("line", line.Number);
                json.WriteString("aor", line.Aor);
                json.WriteString("password", line.Password);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        var body = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        var response = await client.SendAsync(HttpMethod.Post, "/api/users/batch", body, BatchTimeout, cancellationToken).ConfigureAwait(false);
        return (response, batch.Count);
    }

    /// <summary>Waits for the first batch to answer and adds its outcomes; returns the response when the node refused the batch.</summary>
    private static async Task<AdminResponse?> CollectAsync(List<Task<(AdminResponse Response, int Lines)>> pending, ImportResult result,
        ImportProgress progress)
    {
        var first = pending[0];
        pending.RemoveAt(0);
        var (response, lines) = await first.ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return response;
        }

        using (var json = response.TryJson())
        {
            if (json is null || !json.RootElement.TryGetProperty("results", out var results))
            {
                return response with { Status = System.Net.HttpStatusCode.BadGateway };
            }

            result.Created += json.RootElement.GetProperty("created").GetInt32();
            result.Updated += json.RootElement.GetProperty("updated").GetInt32();
            foreach (var r in results.EnumerateArray())
            {
                var outcome = r.GetProperty("outcome").GetString();
                if (outcome is "created" or "updated")
                {
                    continue;
                }

                var error = r.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : outcome ?? "failed";
                result.Failed.Add(new ImportFailure(r.GetProperty("line").GetInt32(), r.GetProperty("aor").GetString() ?? string.Empty, error));
            }
        }

        progress.Advance(lines, report: true);
        return null;
    }

    internal static string Bar(int done, int total, TimeSpan elapsed)
    {
        const int width = 30;
        var filled = total == 0 ? width : (int)((long)Math.Min(done, total) * width / total);
        var rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} users {rate:0}/s");
    }

    /// <summary>One user line of the file.</summary>
    internal readonly record struct ImportLine(int Number, string Aor, string Password);

    private sealed record ImportFailure(int Line, string Aor, string Error);

    private sealed class ImportResult
    {
        public int Created { get; set; }

        public int Updated { get; set; }

        public List<ImportFailure> Failed { get; } = [];
    }
}

/// <summary>
/// Progress of an import on stderr: a bar redrawn in place on a terminal, a plain line per batch when stderr is a file
/// or a pipe (logs stay readable), nothing with --json.
/// </summary>
internal sealed class ImportProgress
{
    private readonly TextWriter _error;
    private readonly Style _style;
    private readonly int _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _done;
    private bool _drawn;

    public ImportProgress(TextWriter error, Style style, int total)
    {
        _error = error;
        _style = style;
        _total = total;
    }

    public enum Style
    {
        None,
        Bar,
        Lines,
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Counts <paramref name="lines"/> as done; a plain line is written only when <paramref name="report"/> (a batch answered).</summary>
    public void Advance(int lines, bool report)
    {
        _done += lines;
        switch (_style)
        {
            case Style.Bar:
                _error.Write("\r" + UserImportCommand.Bar(_done, _total, _clock.Elapsed));
                _drawn = true;
                break;
            case Style.Lines when report || _done == _total:
                var rate = _clock.Elapsed.TotalSeconds > 0 ? _done / _clock.Elapsed.TotalSeconds : 0;
                _error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"imported {_done}/{_total} users ({rate:0}/s)"));
                break;
        }
    }

    /// <summary>Ends the bar's line so that what follows starts on a new one.</summary>
    public void Finish()
    {
        if (_drawn)
        {
            _error.WriteLine();
            _drawn = false;
        }
    }
}
