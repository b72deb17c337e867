using System.Text;
using System.Text.Json;
using Routing.Cli.Sip;

namespace Routing.Cli.Tests.Sip;

public sealed class SipCommandsTests : IDisposable
{
    private const string Options =
        "OPTIONS sip:proxy.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKopt1\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: <sip:proxy.example.com>\r\n" +
        "From: <sip:probe@example.com>;tag=77aa\r\n" +
        "Call-ID: opt-123@192.0.2.4\r\n" +
        "CSeq: 1 OPTIONS\r\n" +
        "Content-Length: 0\r\n\r\n";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("routectl-sip-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Lint_ValidRequestJson_PrintsExactlyTheContractAndExits0()
    {
        var (code, stdout, _) = Run("lint", Write(Options), "--json");

        Assert.Equal(SipCommands.ExitValid, code);
        Assert.Equal("{\"valid\":true,\"status\":null,\"action\":\"accept\",\"reason\":\"ok\",\"offset\":null}", stdout.Trim());
    }

    [Fact]
    public void Lint_UnknownVersion_Rejects505AndExits1()
    {
        var (code, stdout, _) = Run("lint", Write(Options.Replace("OPTIONS sip:proxy.example.com SIP/2.0", "OPTIONS sip:proxy.example.com SIP/7.0", StringComparison.Ordinal)), "--json");

        Assert.Equal(SipCommands.ExitRejected, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.False(doc.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(505, doc.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("reject", doc.RootElement.GetProperty("action").GetString());
        Assert.Equal("unsupported-version", doc.RootElement.GetProperty("reason").GetString());
        Assert.Equal(30, doc.RootElement.GetProperty("offset").GetInt32());
    }

    [Fact]
    public void Lint_CSeqMismatchHumanOutput_NamesStatusAndReason()
    {
        var (code, stdout, _) = Run("lint", Write(Options.Replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE", StringComparison.Ordinal)));

        Assert.Equal(SipCommands.ExitRejected, code);
        Assert.StartsWith("reject: 400 CSeq Method Mismatch (c-seq-method-mismatch) at offset ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_MalformedResponse_IsDropWithNullStatus()
    {
        var response = "SIP/2.0 4294967301 big\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@b>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";

        var (code, stdout, _) = Run("lint", Write(response), "--json");

        Assert.Equal(SipCommands.ExitRejected, code);
        Assert.Equal("{\"valid\":false,\"status\":null,\"action\":\"drop\",\"reason\":\"invalid-status-code\",\"offset\":8}", stdout.Trim());
    }

    [Fact]
    public void Lint_TcpWithoutContentLength_Rejects400()
    {
        var (code, stdout, _) = Run("lint", Write(Options.Replace("Content-Length: 0\r\n", "", StringComparison.Ordinal)), "--transport", "tcp", "--json");

        Assert.Equal(SipCommands.ExitRejected, code);
        Assert.Contains("\"reason\":\"missing-content-length\"", stdout, StringComparison.Ordinal);
        Assert.Contains("\"status\":400", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_UdpWithoutContentLength_IsValid()
    {
        var (code, _, _) = Run("lint", Write(Options.Replace("Content-Length: 0\r\n", "", StringComparison.Ordinal)), "--transport", "udp");

        Assert.Equal(SipCommands.ExitValid, code);
    }

    [Fact]
    public void Lint_TcpTruncatedBody_IsReportedAsTruncated()
    {
        var (code, stdout, _) = Run("lint", Write(Options.Replace("Content-Length: 0", "Content-Length: 10", StringComparison.Ordinal)), "--transport", "tcp", "--json");

        Assert.Equal(SipCommands.ExitRejected, code);
        Assert.Contains("\"reason\":\"truncated-message\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_LfOnlyFile_RejectedUnlessLfFlag()
    {
        var path = Write(Options.Replace("\r\n", "\n", StringComparison.Ordinal));

        Assert.Equal(SipCommands.ExitRejected, Run("lint", path).Code);
        Assert.Equal(SipCommands.ExitValid, Run("lint", path, "--lf").Code);
    }

    [Fact]
    public void Parse_Json_DumpsStartLineHeadersAndRoutingValues()
    {
        var (code, stdout, _) = Run("parse", Write(Options), "--json");

        Assert.Equal(SipCommands.ExitValid, code);
        using var doc = JsonDocument.Parse(stdout);
        var m = doc.RootElement.GetProperty("message");
        Assert.Equal("request", m.GetProperty("kind").GetString());
        Assert.Equal("OPTIONS", m.GetProperty("method").GetString());
        Assert.Equal("sip:proxy.example.com", m.GetProperty("requestUri").GetString());
        Assert.Equal("opt-123@192.0.2.4", m.GetProperty("callId").GetString());
        Assert.Equal(1, m.GetProperty("cseq").GetProperty("number").GetInt64());
        Assert.Equal(70, m.GetProperty("maxForwards").GetInt32());
        Assert.Equal("z9hG4bKopt1", m.GetProperty("topVia").GetProperty("branch").GetString());
        Assert.Equal(7, m.GetProperty("headers").GetArrayLength());
        Assert.Equal("Via", m.GetProperty("headers")[0].GetProperty("id").GetString());
    }

    [Fact]
    public void Parse_DroppedMessage_HasNullMessage()
    {
        var (code, stdout, _) = Run("parse", Write("garbage\n"), "--json");

        Assert.Equal(SipCommands.ExitRejected, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("message").ValueKind);
        Assert.Equal("drop", doc.RootElement.GetProperty("action").GetString());
    }

    [Theory]
    [InlineData(new string[0], "missing command")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    [InlineData(new[] { "lint" }, "missing FILE")]
    [InlineData(new[] { "lint", "a", "b" }, "unexpected argument 'b'")]
    [InlineData(new[] { "lint", "a", "--transport", "sctp" }, "--transport takes udp or tcp")]
    [InlineData(new[] { "lint", "a", "--verbose" }, "unexpected argument '--verbose'")]
    public void Run_BadArguments_Exit2WithOneClearLine(string[] args, string message)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = SipCommands.Run(args, stdout, stderr);

        Assert.Equal(SipCommands.ExitUsage, code);
        Assert.Contains(message, stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal("", stdout.ToString());
    }

    [Fact]
    public void Run_MissingFile_Exit2NamingTheFile()
    {
        var path = Path.Combine(_dir.FullName, "absent.sip");

        var (code, _, stderr) = Run("lint", path);

        Assert.Equal(SipCommands.ExitUsage, code);
        Assert.Contains("absent.sip", stderr, StringComparison.Ordinal);
    }

    private string Write(string text)
    {
        var path = Path.Combine(_dir.FullName, Guid.NewGuid().ToString("N") + ".sip");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(text));
        return path;
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = SipCommands.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
