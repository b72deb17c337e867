using System.Globalization;
using System.Text.Json;

namespace Routing.Cli.Commands.User;

/// <summary><c>routectl user list [--limit N]</c>: AORs known to the journal (provisioned, or registered without auth).</summary>
public sealed class UserListCommand : IVerb
{
    public string Group => "user";

    public string Name => "list";

    public string Summary => "AORs known to the journal";

    public int MaxArguments => 2;

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = "/api/users";
        var args = context.Arguments;
        if (args.Count > 0)
        {
            if (args.Count != 2 || args[0] != "--limit" || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1)
            {
                await context.Error.WriteLineAsync("routectl: user list takes only --limit N (N >= 1)");
                return ExitCodes.Usage;
            }

            path += "?limit=" + limit.ToString(CultureInfo.InvariantCulture);
        }

        var response = await context.Client.GetAsync(path, cancellationToken).ConfigureAwait(false);
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
        if (json is null || !json.RootElement.TryGetProperty("users", out var users) || users.ValueKind != JsonValueKind.Array)
        {
            return NodeReplies.Failure(context, response);
        }

        foreach (var u in users.EnumerateArray())
        {
            await context.Out.WriteLineAsync(u.GetString());
        }

        await context.Error.WriteLineAsync($"{users.GetArrayLength()} user(s)");
        return ExitCodes.Ok;
    }
}
