namespace Routing.Cli.Commands.User;

/// <summary><c>routectl user remove AOR</c>: remove a user and all its bindings.</summary>
public sealed class UserRemoveCommand : IVerb
{
    public string Group => "user";

    public string Name => "remove";

    public string Summary => "remove a user and its bindings";

    public int MaxArguments => 1;

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Arguments.Count != 1)
        {
            await context.Error.WriteLineAsync("routectl: user remove needs an AOR; e.g. routectl user remove sip:alice@example.com");
            return ExitCodes.Usage;
        }

        var response = await context.Client.SendAsync(HttpMethod.Delete, "/api/users/" + Uri.EscapeDataString(context.Arguments[0]), null, cancellationToken)
            .ConfigureAwait(false);
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
        await context.Out.WriteLineAsync(json is { } j ? $"{NodeReplies.Text(j.RootElement, "aor")}: {NodeReplies.Text(j.RootElement, "outcome")}" : response.Body);
        return ExitCodes.Ok;
    }
}
