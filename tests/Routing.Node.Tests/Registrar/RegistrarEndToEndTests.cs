using System.Globalization;
using System.Text.Json;
using Routing.Node.Tests.EndToEnd;

namespace Routing.Node.Tests.Registrar;

/// <summary>
/// The registrar against real peers, the node running as its own process: SIPp (load with digest), routectl
/// (provisioning, inspection), baresip (a real phone) and sipsak (a password guesser).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RegistrarEndToEndTests : IClassFixture<RegistrarNode>
{
    /// <summary>Users registered by SIPp; 10 000 by default (ROUTING_E2E_REGISTER_USERS overrides, e.g. for a quick local run).</summary>
    private static readonly int UserCount =
        int.TryParse(Environment.GetEnvironmentVariable("ROUTING_E2E_REGISTER_USERS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 10_000;

    private readonly RegistrarNode _node;

    public RegistrarEndToEndTests(RegistrarNode node) => _node = node;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sipp_DigestUsersImportedWithRoutectl_All200AndEveryBindingSurvivesARestart()
    {
        var users = new List<(string User, string Password)>(UserCount);
        var csv = Path.Combine(_node.DataDirectory, "import.csv");
        await using (var writer = File.CreateText(csv))
        {
            for (var i = 0; i < UserCount; i++)
            {
                users.Add(("load" + i.ToString(CultureInfo.InvariantCulture), "pw" + i.ToString(CultureInfo.InvariantCulture)));
                await writer.WriteLineAsync($"sip:{users[i].User}@{RegistrarNode.Domain},{users[i].Password}");
            }
        }

        using (var import = await _node.RoutectlAsync(Ct, "user", "import", csv))
        {
            Assert.True(import.ExitCode == 0, import.Stdout + import.Stderr);
            Assert.Contains($"{UserCount} users: ", import.Stdout, StringComparison.Ordinal);
            Assert.Contains(", 0 failed", import.Stdout, StringComparison.Ordinal);
        }

        using (var sipp = await _node.SippRegisterAsync(users, "127.0.0.1", rate: 400, expires: 3600, Ct))
        {
            // SIPp exits 0 only when every call (REGISTER, 401, REGISTER, 200 listing the contact) succeeded.
            Assert.True(sipp.ExitCode == 0, $"sipp exit {sipp.ExitCode}\n{sipp.Stdout}\n{sipp.Stderr}");
        }

        await _node.StopAsync(Ct);
        // Each user has three events (provisioned, credentials, binding) and snapshots every two (RegistrarNode).
        Assert.Equal(UserCount, JournalScalar("SELECT COUNT(*) FROM snapshot WHERE persistence_id LIKE 'user-sip:load%'"));
        // The table is SqliteSnapshotStore's: Akka.Persistence.Sql's store would have created its index on created.
        Assert.Equal(0, JournalScalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'snapshot_created_idx'"));
        Assert.Equal(1, JournalScalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sharding_snapshot_created_idx'"));
        await _node.StartAsync(Ct);

        using (var show = await _node.RoutectlAsync(Ct, "user", "show", $"sip:{users[^1].User}@{RegistrarNode.Domain}"))
        {
            Assert.True(show.ExitCode == 0, show.Stderr);
            Assert.Contains($"sip:{users[^1].User}@127.0.0.1:5080", show.Stdout, StringComparison.Ordinal);
            Assert.Contains("sipp-register-digest", show.Stdout, StringComparison.Ordinal);
        }

        var missing = 0;
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = Ct }, async (u, token) =>
        {
            using var doc = await _node.UserAsync(u.User, token);
            if (doc is null || doc.RootElement.GetProperty("bindings").GetArrayLength() != 1)
            {
                Interlocked.Increment(ref missing);
            }
        });
        Assert.Equal(0, missing);
    }

    private long JournalScalar(string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_node.DataDirectory, "journal.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task RoutectlImport_20000UsersWithABadLine_AllOthersCreatedAndOneLogsInWithDigest()
    {
        const int count = 20_000;
        const int badLine = 5;
        var csv = Path.Combine(_node.DataDirectory, "bulk.csv");
        await using (var writer = File.CreateText(csv))
        {
            for (var i = 0; i < count; i++)
            {
                if (i == badLine - 1)
                {
                    await writer.WriteLineAsync("mailto:nobody@example.test,pw");
                }

                await writer.WriteLineAsync($"sip:bulk{i}@{RegistrarNode.Domain},bulk-pw{i}");
            }
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (var import = await _node.RoutectlWithinAsync(TestEnvironment.Scaled(240), Ct, "--json", "user", "import", csv))
        {
            // A line that was not applied makes the exit code 1; the others are imported all the same.
            Assert.True(import.ExitCode == 1, $"exit {import.ExitCode}\n{import.Stdout}\n{import.Stderr}");
            Assert.Equal(string.Empty, import.Stderr.Trim());
            using var json = JsonDocument.Parse(import.Stdout);
            Assert.Equal(count + 1, json.RootElement.GetProperty("total").GetInt32());
            Assert.Equal(count, json.RootElement.GetProperty("created").GetInt32());
            Assert.Equal(0, json.RootElement.GetProperty("updated").GetInt32());
            var failed = Assert.Single(json.RootElement.GetProperty("failed").EnumerateArray());
            Assert.Equal(badLine, failed.GetProperty("line").GetInt32());
            Assert.Contains("not a SIP address-of-record", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"imported {count} users in {clock.Elapsed.TotalSeconds:0.0} s");
        using (var list = await _node.SendAsync(HttpMethod.Get, "/api/users?limit=1000000", null, Ct))
        {
            using var json = JsonDocument.Parse(await list.Content.ReadAsStringAsync(Ct));
            var bulk = json.RootElement.GetProperty("users").EnumerateArray()
                .Count(u => u.GetString()!.StartsWith("sip:bulk", StringComparison.Ordinal));
            Assert.Equal(count, bulk);
        }

        using var sipp = await _node.SippRegisterAsync([("bulk12345", "bulk-pw12345")], "127.0.0.1", rate: 10, expires: 600, Ct);
        Assert.True(sipp.ExitCode == 0, $"sipp exit {sipp.ExitCode}\n{sipp.Stdout}\n{sipp.Stderr}");
    }

    [Fact]
    public async Task Binding_AfterItsExpiry_IsGone()
    {
        await _node.ProvisionAsync("brief", "pw", Ct);
        using (var sipp = await _node.SippRegisterAsync([("brief", "pw")], "127.0.0.1", rate: 10, expires: 6, Ct))
        {
            Assert.True(sipp.ExitCode == 0, sipp.Stdout + sipp.Stderr);
        }

        using (var bound = await _node.UserAsync("brief", Ct))
        {
            Assert.Equal(1, bound!.RootElement.GetProperty("bindings").GetArrayLength());
        }

        var deadline = DateTime.UtcNow + TestEnvironment.Scaled(20);
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        var remaining = 1;
        while (remaining > 0 && DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync(Ct))
        {
            using var doc = await _node.UserAsync("brief", Ct);
            remaining = doc!.RootElement.GetProperty("bindings").GetArrayLength();
        }

        Assert.Equal(0, remaining);
    }

    [Fact]
    public async Task Baresip_Registers_BindingShowsItsUserAgent()
    {
        await _node.ProvisionAsync("bob", "bob-secret", Ct);
        var dir = Path.Combine(_node.DataDirectory, "baresip");
        Directory.CreateDirectory(dir);
        var port = TestEnvironment.FreeBaresipPort();
        await File.WriteAllTextAsync(Path.Combine(dir, "config"), $"""
            poll_method		epoll
            sip_listen		127.0.0.1:{port}
            net_interface		127.0.0.1
            dns_server		127.0.0.1:53
            module_path		/usr/lib/baresip/modules
            module			g711.so
            module_tmp		uuid.so
            module_tmp		account.so

            """, Ct);
        // RFC 5626 needs a stable instance id: baresip's uuid module reads it from the "uuid" file of its folder.
        await File.WriteAllTextAsync(Path.Combine(dir, "uuid"), Guid.NewGuid().ToString(), Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "accounts"),
            $"<sip:bob@{RegistrarNode.Domain};transport=udp>;auth_pass=bob-secret;outbound=\"sip:127.0.0.1:{_node.SipPort};transport=udp\";sipnat=outbound;regint=600\n", Ct);
        using var baresip = ChildProcess.Start("timeout", ["60", "baresip", "-f", dir, "-t", "50"], dir);
        try
        {
            string? userAgent = null;
            var deadline = DateTime.UtcNow + TestEnvironment.Scaled(20);
            using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(300));
            while (userAgent is null && DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync(Ct))
            {
                using var doc = await _node.UserAsync("bob", Ct);
                var bindings = doc!.RootElement.GetProperty("bindings");
                if (bindings.GetArrayLength() == 1)
                {
                    userAgent = bindings[0].GetProperty("userAgent").GetString();
                }
            }

            Assert.True(userAgent is not null, "baresip did not register\n" + baresip.Stdout + baresip.Stderr);
            Assert.StartsWith("baresip", userAgent, StringComparison.Ordinal);
            using var show = await _node.RoutectlAsync(Ct, "user", "show", $"sip:bob@{RegistrarNode.Domain}");
            Assert.Contains("baresip", show.Stdout, StringComparison.Ordinal);
            // RFC 5626 §5.1: baresip registers with outbound (sipnat=outbound: +sip.instance, reg-id), so the binding's
            // first Path entry names our edge with the token of the flow it registered on, and "ob".
            var edgePath = System.Text.RegularExpressions.Regex.Match(show.Stdout, $@"<sip:([A-Za-z0-9_-]+)@127\.0\.0\.1:{_node.SipPort};lr;ob>");
            Assert.True(edgePath.Success, show.Stdout);
            Assert.True(edgePath.Groups[1].Value.Length >= 40, $"flow token too short to carry the flow and its MAC: {edgePath.Groups[1].Value}");
        }
        finally
        {
            baresip.CloseInput();
            if (!baresip.HasExited)
            {
                baresip.Terminate();
            }
            await baresip.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("/api/users/batch", "not json", 400, "bad-request")]
    [InlineData("/api/users/batch", "null", 400, "bad-request")]
    [InlineData("/api/users", "{\"aor\": ", 400, "bad-request")]
    [InlineData("/api/users/batch", "TOO-MANY-LINES", 400, "at most 10000 lines")]
    [InlineData("/api/users/batch", "OVER-4-MIB", 413, "too-large")]
    public async Task AdminUsers_MalformedOrOversizedBody_ClearErrorAndNothingProvisioned(string path, string body, int status, string expected)
    {
        body = body switch
        {
            "TOO-MANY-LINES" => JsonSerializer.Serialize(Enumerable.Range(1, 10_001).Select(i => new { line = i, aor = $"sip:many{i}@example.com", password = "x" })),
            "OVER-4-MIB" => "[" + string.Join(",", Enumerable.Repeat("{\"line\":1,\"aor\":\"sip:big@example.com\",\"password\":\"" + new string('p', 1000) + "\"}", 5000)) + "]",
            _ => body,
        };

        using var response = await _node.SendAsync(HttpMethod.Post, path, body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(expected, text, StringComparison.Ordinal);
        using var many = await _node.SendAsync(HttpMethod.Get, "/api/users/sip:many1@example.com", null, Ct);
        Assert.Equal(404, (int)many.StatusCode);
    }

    [Fact]
    public async Task BruteForce_SipsakGuessing_IsLockedOutWhileTheGenuineUserRegistersFromAnotherAddress()
    {
        // sipsak resolves the AOR's host itself, so this user lives in "localhost", which the node serves as its own name.
        using (var created = await _node.SendAsync(HttpMethod.Post, "/api/users", JsonSerializer.Serialize(new { aor = "sip:carol@localhost", password = "right" }), Ct))
        {
            Assert.True(created.IsSuccessStatusCode);
        }

        var guesses = new[] { "123456", "password", "letmein", "qwerty" };
        var codes = new List<int>();
        foreach (var guess in guesses.Append("right"))
        {
            codes.Add(await SipsakAsync("127.0.0.5", guess));
        }

        // Every guess failed; after the lock-out even the right password is refused from the guesser's address.
        Assert.All(codes, c => Assert.NotEqual(0, c));
        using (var doc = await _node.UserAsync("carol", CancellationToken.None, "localhost"))
        {
            Assert.True(doc!.RootElement.GetProperty("failedAttempts").GetInt32() >= RegistrarNode.LockoutAttempts);
        }

        Assert.Equal(0, await SipsakAsync("127.0.0.6", "right"));
        using var genuine = await _node.UserAsync("carol", CancellationToken.None, "localhost");
        Assert.Equal("127.0.0.6", genuine!.RootElement.GetProperty("bindings")[0].GetProperty("source").GetString()!.Split(':')[0]);

        using var metrics = await _node.SendAsync(HttpMethod.Get, "/metrics", null, Ct);
        var text = await metrics.Content.ReadAsStringAsync(Ct);
        Assert.Contains("sip_register_auth_failures", text, StringComparison.Ordinal);
        Assert.Contains("sip_register_lockouts", text, StringComparison.Ordinal);
    }

    private async Task<int> SipsakAsync(string sourceIp, string password)
    {
        var port = TestEnvironment.FreePort().ToString(CultureInfo.InvariantCulture);
        using var sipsak = ChildProcess.Start("timeout",
        [
            "10", "sipsak", "-U", "-C", $"sip:carol@{sourceIp}:{port}", "-x", "60", "-u", "carol", "-a", password, "-s", "sip:carol@localhost",
            "--outbound-proxy=127.0.0.1", $"--remote-port={_node.SipPort}", $"--local-ip={sourceIp}",
        ], AppContext.BaseDirectory);
        Assert.True(await sipsak.WaitForExitAsync(TimeSpan.FromSeconds(15), Ct));
        return sipsak.ExitCode;
    }
}
