using System.Text.Json;

namespace Routing.Cli.Commands.User;

/// <summary><c>routectl user add AOR --password P</c>: provision a user (the node stores HA1s, never the password).</summary>
public sealed class UserAddCommand : IVerb
{
    public string Group => "user";

    public string Name => "add";

    public string Summary => "provision a user";

    public int MaxArguments => 3;

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        string? aor = null, password = null;
        var args = context.Arguments;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--password" && i + 1 < args.Count)
            {
                password = args[++i];
            }
            else if (args[i].StartsWith("--password=", StringComparison.Ordinal))
            {
                password = args[i]["--password=".Length..];
            }
            else if (aor is null && !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                aor = args[i];
            }
            else
            {
                await context.Error.WriteLineAsync($"routectl: user add: unexpected '{args[i]}'; usage: routectl user add AOR --password PASSWORD");
                return ExitCodes.Usage;
            }
        }

        if (aor is null || string.IsNullOrEmpty(password))
        {
            await context.Error.WriteLineAsync("routectl: user add needs an AOR and --password; e.g. routectl user add sip:alice@example.com --password secret");
            return ExitCodes.Usage;
        }

        var body = JsonSerializer.Serialize(new { aor, password });
        var response = await context.Client.SendAsync(HttpMethod.Post, "/api/users", body, cancellationToken).ConfigureAwait(false);
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
        var root = json?.RootElement;
        await context.Out.WriteLineAsync(root is { } r ? $"{NodeReplies.Text(r, "aor")}: {NodeReplies.Text(r, "outcome")}" : response.Body);
        return ExitCodes.Ok;
    }
}
