using System.Text.Json;

namespace Routing.Cli.Commands.User;

/// <summary><c>routectl user show AOR</c>: the user's bindings with flows, expiry, user agent and source.</summary>
public sealed class UserShowCommand : IVerb
{
    public string Group => "user";

    public string Name => "show";

    public string Summary => "a user's bindings";

    public int MaxArguments => 1;

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Arguments.Count != 1)
        {
            await context.Error.WriteLineAsync("routectl: user show needs an AOR; e.g. routectl user show sip:alice@example.com");
            return ExitCodes.Usage;
        }

        var response = await context.Client.GetAsync("/api/users/" + Uri.EscapeDataString(context.Arguments[0]), cancellationToken).ConfigureAwait(false);
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
        await context.Out.WriteLineAsync($"aor:          {NodeReplies.Text(root, "aor")}");
        await context.Out.WriteLineAsync($"provisioned:  {(NodeReplies.Flag(root, "provisioned") ? "yes" : "no")} ({NodeReplies.Joined(root, "algorithms")})");
        await context.Out.WriteLineAsync($"failures:     {NodeReplies.Text(root, "failedAttempts")}");
        var table = new TextTable("CONTACT", "EXPIRES", "FLOW", "SOURCE", "USER-AGENT", "PATH");
        if (root.TryGetProperty("bindings", out var bindings) && bindings.ValueKind == JsonValueKind.Array)
        {
            foreach (var b in bindings.EnumerateArray())
            {
                var instance = NodeReplies.Text(b, "instance");
                var regId = NodeReplies.Text(b, "regId");
                var flow = instance.Length == 0 ? "-" : regId.Length == 0 ? instance : instance + " reg-id=" + regId;
                table.Add(NodeReplies.Text(b, "contact") + NodeReplies.Text(b, "parameters"), NodeReplies.Text(b, "expiresIn") + "s", flow,
                    NodeReplies.Text(b, "transport") + ":" + NodeReplies.Text(b, "source"), NodeReplies.Text(b, "userAgent"), NodeReplies.Joined(b, "path"));
            }
        }

        await context.Out.WriteLineAsync();
        table.Write(context.Out);
        return ExitCodes.Ok;
    }
}
