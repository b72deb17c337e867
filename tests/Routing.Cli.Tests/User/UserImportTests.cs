using System.Net;
using System.Text;
using System.Text.Json;
using Routing.Cli.Commands.User;

namespace Routing.Cli.Tests.User;

/// <summary>A node that answers <c>POST /api/users/batch</c> line by line: AORs with "bad" are invalid, "old" ones updated.</summary>
internal sealed class BatchNode : HttpMessageHandler
{
    private int _inFlight;

    public List<JsonElement[]> Batches { get; } = [];

    public int MaxInFlight { get; private set; }

    public HttpStatusCode Status { get; init; } = HttpStatusCode.OK;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        MaxInFlight = Math.Max(MaxInFlight, Interlocked.Increment(ref _inFlight));
        try
        {
            // Let the client start the next batches before this one answers.
            await Task.Yield();
            Assert.Equal("/api/users/batch", request.RequestUri!.AbsolutePath);
            using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
            var lines = body.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
            lock (Batches)
            {
                Batches.Add(lines);
            }

            if (Status != HttpStatusCode.OK)
            {
                return new HttpResponseMessage(Status) { Content = new StringContent("""{"error":"unauthorized","detail":"bad token"}""", Encoding.UTF8, "application/json") };
            }

            int created = 0, updated = 0, failed = 0;
            var results = new List<object>();
            foreach (var l in lines)
            {
                var aor = l.GetProperty("aor").GetString()!;
                var outcome = aor.Contains("bad", StringComparison.Ordinal) ? "invalid" : aor.Contains("old", StringComparison.Ordinal) ? "updated" : "created";
                _ = outcome switch { "created" => created++, "updated" => updated++, _ => failed++ };
                results.Add(new { line = l.GetProperty("line").GetInt32(), aor, outcome, error = outcome == "invalid" ? "'" + aor + "' is not a SIP address-of-record" : null });
            }

            var json = JsonSerializer.Serialize(new { created, updated, failed, results });
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}

public sealed class UserImportTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"users-{Guid.NewGuid():N}.csv");

    public void Dispose() => File.Delete(_file);

    private static async Task<(int Code, string Out, string Err)> Run(HttpMessageHandler node, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await RoutectlApp.RunAsync(["--token", "t", .. args], stdout, stderr, _ => null, node, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private async Task Write(IEnumerable<string> lines) => await File.WriteAllLinesAsync(_file, lines, TestContext.Current.CancellationToken);

    private static IEnumerable<string> Users(int count, int from = 0) =>
        Enumerable.Range(from, count).Select(i => $"sip:u{i}@example.com,pw,with,commas");

    [Fact]
    public async Task UserImport_ManyBatches_SentSeveralAtATimeWithFileLineNumbers()
    {
        var total = UserImportCommand.BatchSize * 4 + 5;
        await Write(["# aor,password", "", .. Users(total)]);
        var node = new BatchNode();

        var (code, output, error) = await Run(node, "user", "import", _file);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(5, node.Batches.Count);
        Assert.Equal(total, node.Batches.Sum(b => b.Length));
        Assert.True(node.MaxInFlight > 1, $"batches in flight at once: {node.MaxInFlight}");
        Assert.True(node.MaxInFlight <= UserImportCommand.BatchesInFlight, $"batches in flight at once: {node.MaxInFlight}");
        var first = node.Batches.SelectMany(b => b).Single(l => l.GetProperty("aor").GetString() == "sip:u0@example.com");
        Assert.Equal(3, first.GetProperty("line").GetInt32());
        Assert.Equal("pw,with,commas", first.GetProperty("password").GetString());
        Assert.Contains($"{total} users: {total} created, 0 updated, 0 failed", output, StringComparison.Ordinal);
        // stderr is not a terminal here: plain progress lines, the last one complete.
        Assert.Contains($"imported {total}/{total} users", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', error);
    }

    [Fact]
    public async Task UserImport_BadLines_ReportedByLineNumberAndTheRestImported_Exit1()
    {
        await Write(["sip:a@example.com,x", "no-comma-here", "sip:bad@example.com,x", "sip:old@example.com,y", "sip:b@example.com,"]);

        var (code, output, _) = await Run(new BatchNode(), "user", "import", _file);

        Assert.Equal(ExitCodes.NodeFailure, code);
        Assert.Contains("5 users: 1 created, 1 updated, 3 failed", output, StringComparison.Ordinal);
        Assert.Contains("  line 2: no-comma-here: expected AOR,password", output, StringComparison.Ordinal);
        Assert.Contains("  line 3: sip:bad@example.com: 'sip:bad@example.com' is not a SIP address-of-record", output, StringComparison.Ordinal);
        Assert.Contains("  line 5: sip:b@example.com: expected AOR,password", output, StringComparison.Ordinal);
        var report = output.Split('\n');
        Assert.True(Array.FindIndex(report, l => l.Contains("line 2:", StringComparison.Ordinal))
            < Array.FindIndex(report, l => l.Contains("line 3:", StringComparison.Ordinal)), "failures are listed in file order");
    }

    [Fact]
    public async Task UserImport_Json_PrintsOneObjectAndNoProgress()
    {
        await Write(["sip:a@example.com,x", "sip:bad@example.com,x"]);

        var (code, output, error) = await Run(new BatchNode(), "--json", "user", "import", _file);

        Assert.Equal(ExitCodes.NodeFailure, code);
        Assert.Equal(string.Empty, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2, json.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("created").GetInt32());
        var failed = Assert.Single(json.RootElement.GetProperty("failed").EnumerateArray());
        Assert.Equal(2, failed.GetProperty("line").GetInt32());
        Assert.Equal("sip:bad@example.com", failed.GetProperty("aor").GetString());
    }

    [Fact]
    public async Task UserImport_NodeRefusesABatch_StopsWithNodeFailure()
    {
        await Write(Users(UserImportCommand.BatchSize * 5));
        var node = new BatchNode { Status = HttpStatusCode.Unauthorized };

        var (code, _, error) = await Run(node, "user", "import", _file);

        Assert.Equal(ExitCodes.NodeFailure, code);
        Assert.Contains("401", error, StringComparison.Ordinal);
        Assert.True(node.Batches.Count <= UserImportCommand.BatchesInFlight + 1, $"batches sent after the refusal: {node.Batches.Count}");
    }

    [Fact]
    public async Task UserImport_MissingFile_IsAUsageError()
    {
        var (code, _, error) = await Run(new BatchNode(), "user", "import", _file + ".missing");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("cannot read", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportProgress_Terminal_RedrawsOneLineAndEndsIt()
    {
        var error = new StringWriter();
        var progress = new ImportProgress(error, ImportProgress.Style.Bar, 4000);

        progress.Advance(2000, report: true);
        progress.Advance(2000, report: true);
        progress.Finish();

        var text = error.ToString();
        Assert.StartsWith("\r[###############...............] 2000/4000 users", text, StringComparison.Ordinal);
        Assert.Contains("\r[##############################] 4000/4000 users", text, StringComparison.Ordinal);
        Assert.EndsWith(Environment.NewLine, text, StringComparison.Ordinal);
        Assert.Single(text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("  # comment", UserImportCommand.LineKind.Skip)]
    [InlineData("", UserImportCommand.LineKind.Skip)]
    [InlineData("sip:a@example.com", UserImportCommand.LineKind.Invalid)]
    [InlineData(",secret", UserImportCommand.LineKind.Invalid)]
    [InlineData("sip:a@example.com,", UserImportCommand.LineKind.Invalid)]
    [InlineData(" sip:a@example.com , s3 cret ", UserImportCommand.LineKind.User)]
    public void Parse_Line_Kind(string text, UserImportCommand.LineKind kind)
    {
        Assert.Equal(kind, UserImportCommand.Parse(text, 7, out var line, out var error));
        if (kind == UserImportCommand.LineKind.User)
        {
            Assert.Equal(new UserImportCommand.ImportLine(7, "sip:a@example.com", " s3 cret "), line);
        }

        Assert.Equal(kind == UserImportCommand.LineKind.Invalid, error is not null);
    }
}
