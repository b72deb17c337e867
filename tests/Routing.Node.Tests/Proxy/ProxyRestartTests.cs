using Routing.Node.Tests.EndToEnd;
using static Routing.Node.Tests.Proxy.ProxyNode;

namespace Routing.Node.Tests.Proxy;

/// <summary>
/// A call survives the node that set it up: the node is stopped (SIGTERM) and started again mid-call, the dialog entity
/// comes back from the journal (at the BYE, or earlier when the dialog waker sweeps), the caller's BYE still reaches the
/// callee and the CDR completes.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ProxyRestartTests : IDisposable
{
    private readonly ProxyNode _node = new();

    public void Dispose() => _node.Dispose();

    [Fact]
    public async Task NodeRestartedMidCall_ByeStillReachesCalleeAndCdrCompletes()
    {
        _node.Start();
        await _node.WaitReadyAsync();
        var uasPort = TestEnvironment.FreePort();
        using (var reg = _node.Sipp("proxy-register.xml", TestEnvironment.FreePort(),
                   ["-key", "user", "bob", "-key", "contact", $"127.0.0.1:{P(uasPort)}", "-key", "cparams", ""], seconds: 10))
        {
            await reg.SucceedsAsync();
        }

        var id = "restart-" + Guid.NewGuid().ToString("N")[..10];
        var callId = id + "-1@127.0.0.1";
        using var uas = _node.Sipp("proxy-uas.xml", uasPort, ["-key", "totag", "t" + P(uasPort)], seconds: 60);

        // The BYE goes out 12 s after the ACK; SIPp retransmits it (UDP, Timer E) while the node is down.
        using var uac = _node.Sipp("proxy-uac.xml", TestEnvironment.FreePort(),
            ["-key", "caller", "alice", "-key", "callee", "bob", "-cid_str", id + "-%u@%s", "-key", "ftag", "frestart", "-d", "12000",
             "-max_non_invite_retrans", "12"], seconds: 60);
        await _node.CdrAsync(callId, row => row.GetProperty("answerTime").ValueKind == System.Text.Json.JsonValueKind.String);

        _node.Process!.Terminate();
        Assert.True(await _node.Process.WaitForExitAsync(TestEnvironment.Scaled(30), TestContext.Current.CancellationToken), "node did not stop");
        _node.Start();
        await _node.WaitReadyAsync();

        await uac.SucceedsAsync(60);
        await uas.SucceedsAsync(60);
        Assert.Contains("BYE sip:127.0.0.1:" + P(uasPort), uas.Messages, StringComparison.Ordinal);
        var row = await _node.CdrAsync(callId, Ended);
        Assert.Equal("caller", row.GetProperty("hungUpBy").GetString());
        Assert.Equal("bye", row.GetProperty("endReason").GetString());
        Assert.True(row.GetProperty("durationMs").GetInt64() >= 11_000);
    }
}
