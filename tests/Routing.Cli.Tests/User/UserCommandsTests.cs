using System.Net;
using System.Text;
using Routing.Cli.Commands.User;

namespace Routing.Cli.Tests.User;

/// <summary>Answers by method and path and keeps each request's body (read before the client disposes it).</summary>
internal sealed class RecordingNode : HttpMessageHandler
{
    private readonly Dictionary<string, (HttpStatusCode Status, string Body)> _routes = [];

    public List<(string Method, string Path, string Body)> Requests { get; } = [];

    public RecordingNode On(string method, string path, HttpStatusCode status, string body)
    {
        _routes[method + " " + path] = (status, body);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        Requests.Add((request.Method.Method, path, body));
        if (!_routes.TryGetValue(request.Method.Method + " " + path, out var r))
        {
            r = (HttpStatusCode.NotFound, "{\"error\":\"not-found\",\"detail\":\"no user sip:nobody@example.com\"}");
        }

        return new HttpResponseMessage(r.Status) { Content = new StringContent(r.Body, Encoding.UTF8, "application/json") };
    }
}

public sealed class UserCommandsTests
{
    private const string AlicePath = "/api/users/sip%3Aalice%40example.com";

    private const string AliceJson = """
        {"aor":"sip:alice@example.com","provisioned":true,"algorithms":["SHA-256","MD5"],"failedAttempts":0,
         "bindings":[{"contact":"sip:alice@192.0.2.10:5060","parameters":";+sip.instance=\"<urn:uuid:1>\";reg-id=1","expiresIn":3599,
                      "expiresAt":"2026-11-26T13:00:00+00:00","callId":"c1","cSeq":2,"instance":"\"<urn:uuid:1>\"","regId":1,
                      "path":["<sip:edge.example.com;lr>"],"source":"203.0.113.7:50000","transport":"udp","userAgent":"baresip v3.10.1",
                      "registeredAt":"2026-11-26T12:00:00+00:00"}]}
        """;

    private static async Task<(int Code, string Out, string Err)> Run(HttpMessageHandler node, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await RoutectlApp.RunAsync(["--token", "t", .. args], stdout, stderr, _ => null, node, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task UserAdd_WithPassword_PostsAorAndPasswordAndPrintsOutcome()
    {
        var node = new RecordingNode().On("POST", "/api/users", HttpStatusCode.Created, """{"aor":"sip:alice@example.com","outcome":"created"}""");

        var (code, output, _) = await Run(node, "user", "add", "sip:alice@example.com", "--password", "s3cret");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("sip:alice@example.com: created", output, StringComparison.Ordinal);
        var request = Assert.Single(node.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Contains("\"password\":\"s3cret\"", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserAdd_WithoutPassword_IsAUsageError()
    {
        var (code, _, error) = await Run(new RecordingNode(), "user", "add", "sip:alice@example.com");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--password", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserShow_Binding_ListsContactExpiryFlowSourceAndUserAgent()
    {
        var node = new RecordingNode().On("GET", AlicePath, HttpStatusCode.OK, AliceJson);

        var (code, output, _) = await Run(node, "user", "show", "sip:alice@example.com");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("sip:alice@192.0.2.10:5060", output, StringComparison.Ordinal);
        Assert.Contains("3599s", output, StringComparison.Ordinal);
        Assert.Contains("reg-id=1", output, StringComparison.Ordinal);
        Assert.Contains("udp:203.0.113.7:50000", output, StringComparison.Ordinal);
        Assert.Contains("baresip v3.10.1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserShow_Json_PrintsTheNodesDocument()
    {
        var node = new RecordingNode().On("GET", AlicePath, HttpStatusCode.OK, AliceJson);

        var (code, output, _) = await Run(node, "--json", "user", "show", "sip:alice@example.com");

        Assert.Equal(ExitCodes.Ok, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("baresip v3.10.1", doc.RootElement.GetProperty("bindings")[0].GetProperty("userAgent").GetString());
    }

    [Fact]
    public async Task UserShow_UnknownUser_ExitsWithNodeFailure()
    {
        var (code, _, error) = await Run(new RecordingNode(), "user", "show", "sip:nobody@example.com");

        Assert.Equal(ExitCodes.NodeFailure, code);
        Assert.Contains("404", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserRemove_Aor_SendsDelete()
    {
        var node = new RecordingNode().On("DELETE", AlicePath, HttpStatusCode.OK, """{"aor":"sip:alice@example.com","outcome":"removed"}""");

        var (code, output, _) = await Run(node, "user", "remove", "sip:alice@example.com");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("removed", output, StringComparison.Ordinal);
        Assert.Equal("DELETE", Assert.Single(node.Requests).Method);
    }

    [Fact]
    public async Task UserList_PrintsOneAorPerLine()
    {
        var node = new RecordingNode().On("GET", "/api/users", HttpStatusCode.OK, """{"users":["sip:a@example.com","sip:b@example.com"],"count":2}""");

        var (code, output, _) = await Run(node, "user", "list");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(["sip:a@example.com", "sip:b@example.com"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
