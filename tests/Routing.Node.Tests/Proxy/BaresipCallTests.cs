using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Routing.Node.Tests.EndToEnd;
using static Routing.Node.Tests.Proxy.ProxyNode;

namespace Routing.Node.Tests.Proxy;

/// <summary>
/// Two real phones (baresip) through the node: both register with digest, alice calls bob (INVITE challenged with 407
/// and resent with credentials), bob answers automatically, audio flows both ways end to end (the proxy does not touch
/// media), alice hangs up, and exactly one CDR is written. baresip 1.0 only answers MD5 challenges, so the node offers
/// MD5 alone here.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class BaresipCallTests : IDisposable
{
    private readonly ProxyNode _node = new("digest", """
        routing.registrar.challenge-algorithms = ["MD5"]
        routing.proxy.challenge-algorithms = ["MD5"]
        """);

    private readonly string _dir = TestEnvironment.TempDirectory();

    public void Dispose()
    {
        _node.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Phone(string name, int sipPort, int ctrlPort, int rtpBase, string account)
    {
        var d = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.Combine(d, "rec"));
        var tone = Path.Combine(_dir, "tone8k.wav");
        if (!File.Exists(tone))
        {
            WriteTone(tone);
        }

        File.WriteAllText(Path.Combine(d, "config"), $"""
            poll_method epoll
            sip_listen 127.0.0.1:{P(sipPort)}
            net_interface 127.0.0.1
            dns_server 127.0.0.1:53
            call_local_timeout 30
            audio_player alsa,null
            audio_source aufile,{tone}
            audio_alert alsa,null
            rtp_stats yes
            rtp_ports {P(rtpBase)}-{P(rtpBase + 99)}
            module_path /usr/lib/baresip/modules
            module g711.so
            module aufile.so
            module alsa.so
            module stun.so
            module turn.so
            module ice.so
            module srtp.so
            module dtls_srtp.so
            module_tmp uuid.so
            module_tmp account.so
            module_app menu.so
            module_app ctrl_tcp.so
            ctrl_tcp_listen 127.0.0.1:{P(ctrlPort)}

            """);
        File.WriteAllText(Path.Combine(d, "accounts"), account + "\n");
        File.WriteAllText(Path.Combine(d, "contacts"), string.Empty);
        return d;
    }

    private static void WriteTone(string path)
    {
        // 20 s of 440 Hz, 8 kHz mono 16-bit PCM (RIFF/WAVE).
        const int rate = 8000, seconds = 20;
        using var w = new BinaryWriter(File.Create(path));
        var samples = rate * seconds;
        w.Write("RIFF"u8); w.Write(36 + samples * 2); w.Write("WAVEfmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1);
        w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16); w.Write("data"u8); w.Write(samples * 2);
        for (var i = 0; i < samples; i++)
        {
            w.Write((short)(8000 * Math.Sin(2 * Math.PI * 440 * i / rate)));
        }
    }

    private static ChildProcess StartPhone(string dir) =>
        ChildProcess.Start("sh", ["-c", $"sleep 40 | timeout {P((int)TestEnvironment.Scaled(45).TotalSeconds)} baresip -f {dir}"], dir);

    private async Task WaitRegisteredAsync(string aor)
    {
        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(15);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await _node.SendAsync(HttpMethod.Get, "/api/users/" + Uri.EscapeDataString(aor), null);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            if (response.IsSuccessStatusCode && body.Contains("baresip", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Fail(aor + " did not register");
    }

    private static byte[] Netstring(string command, string parameters)
    {
        var json = JsonSerializer.Serialize(new { command, @params = parameters, token = command });
        return Encoding.UTF8.GetBytes(Encoding.UTF8.GetByteCount(json).ToString(CultureInfo.InvariantCulture) + ":" + json + ",");
    }

    /// <summary>Reads ctrl_tcp netstrings until <paramref name="until"/> matches one or the time is up.</summary>
    private static async Task<List<JsonElement>> EventsAsync(NetworkStream stream, Func<JsonElement, bool> until, TimeSpan within)
    {
        var seen = new List<JsonElement>();
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(within);
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(chunk, cts.Token);
                if (n == 0)
                {
                    return seen;
                }

                buffer.AddRange(chunk.AsSpan(0, n));
                while (true)
                {
                    var colon = buffer.IndexOf((byte)':');
                    if (colon < 0 || !int.TryParse(Encoding.ASCII.GetString([.. buffer.GetRange(0, colon)]), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                        || buffer.Count < colon + 1 + length + 1)
                    {
                        break;
                    }

                    using var doc = JsonDocument.Parse(buffer.GetRange(colon + 1, length).ToArray());
                    var e = doc.RootElement.Clone();
                    buffer.RemoveRange(0, colon + 1 + length + 1);
                    seen.Add(e);
                    if (until(e))
                    {
                        return seen;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return seen;
        }
    }

    private static string Type(JsonElement e) => e.TryGetProperty("type", out var t) ? t.GetString() ?? string.Empty : string.Empty;

    [Fact]
    public async Task BaresipCallsBaresip_DigestBothWays_MediaFlowsAndOneCdr()
    {
        _node.Start();
        await _node.WaitReadyAsync();
        foreach (var user in (string[])["alice", "bob"])
        {
            using var created = await _node.SendAsync(HttpMethod.Post, "/api/users", $$"""{"aor":"sip:{{user}}@example.com","password":"s3cret"}""");
            Assert.True(created.IsSuccessStatusCode);
        }

        var outbound = $"outbound=\"sip:127.0.0.1:{P(_node.SipPort)}\"";
        var aliceCtrl = TestEnvironment.FreePort();
        var alice = Phone("alice", TestEnvironment.FreeBaresipPort(), aliceCtrl, 21000,
            $"<sip:alice@example.com>;auth_pass=s3cret;{outbound};regint=60");
        var bobSip = TestEnvironment.FreeBaresipPort();
        var bob = Phone("bob", bobSip, TestEnvironment.FreePort(), 21200,
            $"<sip:bob@example.com>;auth_pass=s3cret;{outbound};regint=60;answermode=auto");
        using var bobPhone = StartPhone(bob);
        using var alicePhone = StartPhone(alice);
        await WaitRegisteredAsync("sip:bob@example.com");
        await WaitRegisteredAsync("sip:alice@example.com");

        using var control = new TcpClient();
        await control.ConnectAsync("127.0.0.1", aliceCtrl, TestContext.Current.CancellationToken);
        var stream = control.GetStream();
        await stream.WriteAsync(Netstring("dial", "sip:bob@example.com"), TestContext.Current.CancellationToken);
        var setup = await EventsAsync(stream, e => Type(e) is "CALL_ESTABLISHED" or "CALL_CLOSED", TestEnvironment.Scaled(15));
        Assert.Contains(setup, e => Type(e) == "CALL_ESTABLISHED");

        // RTCP reports arrive every few seconds; one with packets received proves audio from bob reached alice.
        var media = await EventsAsync(stream, e => Type(e) == "CALL_RTCP" && Received(e) > 0, TestEnvironment.Scaled(15));
        var rtcp = media.FindLast(e => Type(e) == "CALL_RTCP");
        Assert.True(Received(rtcp) > 0, "no RTP received by alice: " + string.Join("\n", media));
        Assert.True(Sent(rtcp) > 0, "no RTP sent by alice");

        await stream.WriteAsync(Netstring("hangup", string.Empty), TestContext.Current.CancellationToken);
        await EventsAsync(stream, e => Type(e) == "CALL_CLOSED", TestEnvironment.Scaled(10));

        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(15);
        JsonElement rows = default;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await _node.SendAsync(HttpMethod.Get, "/api/cdr", null);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            rows = doc.RootElement.Clone();
            if (rows.GetArrayLength() == 1 && ProxyNode.Ended(rows[0]))
            {
                break;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, rows.GetArrayLength());
        var row = rows[0];
        Assert.Equal("sip:alice@example.com", row.GetProperty("callerAor").GetString());
        Assert.Equal("sip:bob@example.com", row.GetProperty("calleeAor").GetString());
        Assert.Equal(200, row.GetProperty("finalStatus").GetInt32());
        Assert.Equal("caller", row.GetProperty("hungUpBy").GetString());
        Assert.StartsWith("baresip", row.GetProperty("userAgent").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("<urn:uuid:", row.GetProperty("answeringDevice").GetString(), StringComparison.Ordinal);
    }

    private static long Received(JsonElement e) =>
        e.TryGetProperty("rtcp_stats", out var s) && s.TryGetProperty("rx", out var rx) && rx.TryGetProperty("sent", out var n) ? n.GetInt64() : 0;

    private static long Sent(JsonElement e) =>
        e.TryGetProperty("rtcp_stats", out var s) && s.TryGetProperty("tx", out var tx) && tx.TryGetProperty("sent", out var n) ? n.GetInt64() : 0;
}
