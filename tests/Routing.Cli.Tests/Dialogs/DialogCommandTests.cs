using System.Net;

namespace Routing.Cli.Tests.Dialogs;

public sealed class DialogCommandTests
{
    private const string CdrJson = """
        [{"callId":"c1@10.0.0.1","callerAor":"sip:alice@example.com","calleeAor":"sip:bob@example.com","sourceIp":"10.0.0.1",
          "sourcePort":5060,"transport":"udp","userAgent":"baresip","deviceInstance":null,"tlsFingerprint":null,"branchesTried":2,
          "answeringDevice":"<urn:uuid:b>","setupTime":"2026-11-26T12:00:00+00:00","ringTime":"2026-11-26T12:00:01+00:00",
          "answerTime":"2026-11-26T12:00:03+00:00","endTime":"2026-11-26T12:01:08+00:00","durationMs":65000,"finalStatus":200,
          "hungUpBy":"callee","endReason":"bye"}]
        """;

    private const string DialogJson = """
        {"callId":"c1@10.0.0.1","phase":"Terminated","calleeAor":"sip:bob@example.com",
         "caller":{"aor":"sip:alice@example.com","contact":"sip:alice@10.0.0.1","source":"10.0.0.1:5060","transport":"udp","instance":null},
         "callee":{"aor":"sip:bob@example.com","contact":"sip:bob@10.0.0.2","source":"10.0.0.2:5062","transport":"udp","instance":"<urn:uuid:b>"},
         "history":[{"at":"2026-11-26T12:00:00+00:00","type":"started","detail":"sip:alice@example.com -> sip:bob@example.com"},
                    {"at":"2026-11-26T12:01:08+00:00","type":"terminated","detail":"by Callee, Bye, 200"}]}
        """;

    private static async Task<(int Code, string Out, string Err)> Run(HttpMessageHandler node, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await RoutectlApp.RunAsync(args, stdout, stderr, _ => null, node, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task CdrList_UserAndSince_SentAsQueryAndPrintedAsTable()
    {
        var node = new FakeNode().On("/api/cdr", HttpStatusCode.OK, CdrJson);
        var (code, output, _) = await Run(node, "--token", "t", "cdr", "list", "--user", "sip:alice@example.com", "--since", "2026-11-26T11:00:00Z");
        Assert.Equal(0, code);
        var query = Uri.UnescapeDataString(node.Requests[0].RequestUri!.Query);
        Assert.Contains("user=sip:alice@example.com", query, StringComparison.Ordinal);
        Assert.Contains("since=2026-11-26T11:00:00.0000000+00:00", query, StringComparison.Ordinal);
        Assert.Contains("00:01:05", output, StringComparison.Ordinal);
        Assert.Contains("callee", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CdrList_Json_PrintsTheArray()
    {
        var node = new FakeNode().On("/api/cdr", HttpStatusCode.OK, CdrJson);
        var (code, output, _) = await Run(node, "--token", "t", "--json", "cdr", "list");
        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(System.Text.Json.JsonValueKind.Array, doc.RootElement.ValueKind);
        Assert.Equal(200, doc.RootElement[0].GetProperty("finalStatus").GetInt32());
    }

    [Fact]
    public async Task CdrList_BadSince_UsageError()
    {
        var (code, _, err) = await Run(new FakeNode(), "--token", "t", "cdr", "list", "--since", "yesterday-ish");
        Assert.Equal(2, code);
        Assert.Contains("--since", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DialogShow_PrintsPartiesAndHistory()
    {
        var node = new FakeNode().On("/api/dialogs/c1%4010.0.0.1", HttpStatusCode.OK, DialogJson);
        var (code, output, _) = await Run(node, "--token", "t", "dialog", "show", "c1@10.0.0.1");
        Assert.Equal(0, code);
        Assert.Contains("Terminated", output, StringComparison.Ordinal);
        Assert.Contains("terminated", output, StringComparison.Ordinal);
        Assert.Contains("<urn:uuid:b>", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DialogShow_Unknown_Exit1()
    {
        var (code, _, _) = await Run(new FakeNode(), "--token", "t", "dialog", "show", "nope");
        Assert.Equal(1, code);
    }

    [Fact]
    public async Task DialogList_ActiveCallsTable()
    {
        var node = new FakeNode().On("/api/dialogs", HttpStatusCode.OK, CdrJson);
        var (code, output, _) = await Run(node, "--token", "t", "dialog", "list");
        Assert.Equal(0, code);
        Assert.Contains("c1@10.0.0.1", output, StringComparison.Ordinal);
    }
}
