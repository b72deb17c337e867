using System.Text.Json;

namespace Routing.Cli.Commands.Dialogs;

/// <summary><c>routectl dialog list</c>: calls in progress (from the CDR projection), newest first.</summary>
public sealed class DialogListCommand : IVerb
{
    public string Group => "dialog";

    public string Name => "list";

    public string Summary => "calls in progress";

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Arguments.Count > 0)
        {
            await context.Error.WriteLineAsync($"routectl: dialog list: unexpected '{context.Arguments[0]}'");
            return ExitCodes.Usage;
        }

        var response = await context.Client.GetAsync("/api/dialogs", cancellationToken).ConfigureAwait(false);
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
        if (json is null || json.RootElement.ValueKind != JsonValueKind.Array)
        {
            return NodeReplies.Failure(context, response);
        }

        CdrTable.Write(context.Out, json.RootElement, activeOnly: true);
        return ExitCodes.Ok;
    }
}
