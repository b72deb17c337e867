using System.Globalization;
using System.Text.Json;

namespace Routing.Cli.Commands;

/// <summary><c>node info NODE</c>: one member's self-description from <c>GET /api/nodes</c> on the asked node.</summary>
internal static class MemberInfo
{
    public static async Task<int> RunAsync(VerbContext context, string node, CancellationToken cancellationToken)
    {
        var response = await context.Client.GetAsync("/api/nodes", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return NodeReplies.Failure(context, response);
        }

        using var json = response.TryJson();
        if (json is null || json.RootElement.ValueKind != JsonValueKind.Array)
        {
            return NodeReplies.Failure(context, response);
        }

        foreach (var n in json.RootElement.EnumerateArray())
        {
            var address = NodeReplies.Text(n, "address");
            if (NodeReplies.Text(n, "name") != node && address != node && !address.EndsWith("@" + node, StringComparison.Ordinal))
            {
                continue;
            }

            if (context.Options.Json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(n, Indented));
                return ExitCodes.Ok;
            }

            var uptime = n.TryGetProperty("startedAt", out var s) && s.TryGetDateTimeOffset(out var started)
                ? Uptime(TimeProvider.System.GetUtcNow() - started)
                : "?";
            context.Out.WriteLine($"name:        {NodeReplies.Text(n, "name")}");
            context.Out.WriteLine($"version:     {NodeReplies.Text(n, "version")} (app-version {NodeReplies.Text(n, "appVersion")})");
            context.Out.WriteLine($"uptime:      {uptime}");
            context.Out.WriteLine($"status:      {NodeReplies.Text(n, "status")}{(NodeReplies.Flag(n, "reachable") ? string.Empty : " UNREACHABLE")}{(NodeReplies.Flag(n, "draining") ? " draining" : string.Empty)}");
            context.Out.WriteLine($"address:     {address}");
            context.Out.WriteLine($"admin:       {NodeReplies.Text(n, "admin")}");
            context.Out.WriteLine($"roles:       {NodeReplies.Joined(n, "roles")}");
            context.Out.WriteLine($"sip:         {NodeReplies.Joined(n, "sip")}");
            context.Out.WriteLine($"journal:     {NodeReplies.Text(n, "journal")}");
            context.Out.WriteLine($"pid:         {NodeReplies.Text(n, "pid")}");
            return NodeReplies.Flag(n, "answered") ? ExitCodes.Ok : ExitCodes.NodeFailure;
        }

        await context.Error.WriteLineAsync($"routectl: no member is called '{node}'; see routectl cluster nodes");
        return ExitCodes.NodeFailure;
    }

    /// <summary>The asked node's name from <c>GET /api/nodes</c>, or "?" when it does not say.</summary>
    public static async Task<string> NameOfAsync(VerbContext context, string address, CancellationToken cancellationToken)
    {
        var response = await context.Client.GetAsync("/api/nodes", cancellationToken).ConfigureAwait(false);
        using var json = response.IsSuccess ? response.TryJson() : null;
        if (json is not null && json.RootElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var n in json.RootElement.EnumerateArray())
            {
                if (NodeReplies.Text(n, "address") == address)
                {
                    return NodeReplies.Text(n, "name");
                }
            }
        }

        return "?";
    }

    public static string Uptime(TimeSpan t) => t.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalDays}d {t.Hours}h {t.Minutes}m")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Hours}h {t.Minutes}m {t.Seconds}s");

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
