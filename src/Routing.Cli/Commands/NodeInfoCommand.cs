using System.Text.Json;

namespace Routing.Cli.Commands;

/// <summary>
/// <c>routectl node info [NODE]</c>: identity, version, uptime, roles, ports, journal and start history of the asked
/// node; with NODE, what any member says about itself (asked through the cluster).
/// </summary>
public sealed class NodeInfoCommand : IArgumentVerb
{
    public string Group => "node";

    public string Name => "info";

    public string Summary => "version, uptime, roles, ports, journal, start history ([NODE]: any member)";

    public int MinArguments => 0;

    public int MaxArguments => 1;

    public string Usage => "[NODE]";

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Arguments.Count == 1)
        {
            return await MemberInfo.RunAsync(context, context.Arguments[0], cancellationToken).ConfigureAwait(false);
        }

        var response = await context.Client.GetAsync("/api/node", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return NodeReplies.Failure(context, response);
        }

        if (context.Options.Json)
        {
            NodeReplies.WriteJson(context, response);
            return ExitCodes.Ok;
        }

        using var json = response.TryJson();
        if (json is null || json.RootElement.ValueKind != JsonValueKind.Object)
        {
            return NodeReplies.Failure(context, response);
        }

        var root = json.RootElement;
        var sip = new List<string>();
        if (root.TryGetProperty("sip", out var listeners) && listeners.ValueKind == JsonValueKind.Array)
        {
            foreach (var l in listeners.EnumerateArray())
            {
                sip.Add(NodeReplies.Text(l, "transport") + ":" + NodeReplies.Text(l, "address"));
            }
        }

        var uptime = root.TryGetProperty("uptimeSeconds", out var up) && up.TryGetDouble(out var seconds)
            ? MemberInfo.Uptime(TimeSpan.FromSeconds(seconds))
            : "?";
        context.Out.WriteLine($"name:        {await MemberInfo.NameOfAsync(context, NodeReplies.Text(root, "address"), cancellationToken).ConfigureAwait(false)}");
        context.Out.WriteLine($"node:        {NodeReplies.Text(root, "nodeId")}");
        context.Out.WriteLine($"version:     {NodeReplies.Text(root, "version")}");
        context.Out.WriteLine($"uptime:      {uptime}");
        context.Out.WriteLine($"address:     {NodeReplies.Text(root, "address")}");
        context.Out.WriteLine($"admin:       {NodeReplies.Text(root, "admin")}");
        context.Out.WriteLine($"roles:       {NodeReplies.Joined(root, "roles")}");
        context.Out.WriteLine($"sip:         {string.Join(", ", sip)}");
        context.Out.WriteLine($"domains:     {NodeReplies.Joined(root, "domains")}");
        context.Out.WriteLine($"journal:     {NodeReplies.Text(root, "journal")} ({NodeReplies.Text(root, "dataDirectory")})");
        context.Out.WriteLine($"started:     {NodeReplies.Text(root, "startedAt")} (incarnation {NodeReplies.Text(root, "incarnation")})");
        context.Out.WriteLine($"starts:      {NodeReplies.Text(root, "starts")}");
        var table = new TextTable("INCARNATION", "STARTED", "VERSION", "ADDRESS");
        if (root.TryGetProperty("history", out var history) && history.ValueKind == JsonValueKind.Array)
        {
            foreach (var h in history.EnumerateArray())
            {
                table.Add(NodeReplies.Text(h, "incarnation"), NodeReplies.Text(h, "startedAt"), NodeReplies.Text(h, "version"), NodeReplies.Text(h, "address"));
            }
        }

        context.Out.WriteLine();
        table.Write(context.Out);
        return ExitCodes.Ok;
    }
}
