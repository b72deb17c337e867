using System.Text.Json;

namespace Routing.Cli.Commands.Dialogs;

/// <summary><c>routectl dialog show CALL-ID</c>: the dialog's parties and its event history.</summary>
public sealed class DialogShowCommand : IVerb
{
    public string Group => "dialog";

    public string Name => "show";

    public string Summary => "a dialog's parties and event history";

    public int MaxArguments => 1;

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Arguments.Count != 1)
        {
            await context.Error.WriteLineAsync("routectl: dialog show needs one Call-ID; e.g. routectl dialog show 1-2345@127.0.0.1");
            return ExitCodes.Usage;
        }

        var response = await context.Client.GetAsync("/api/dialogs/" + Uri.EscapeDataString(context.Arguments[0]), cancellationToken).ConfigureAwait(false);
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
        context.Out.WriteLine($"call-id:  {NodeReplies.Text(root, "callId")}");
        context.Out.WriteLine($"phase:    {NodeReplies.Text(root, "phase")}");
        context.Out.WriteLine($"caller:   {Party(root, "caller")}");
        context.Out.WriteLine($"callee:   {Party(root, "callee")}");
        context.Out.WriteLine();
        var table = new TextTable("AT", "EVENT", "DETAIL");
        if (root.TryGetProperty("history", out var history) && history.ValueKind == JsonValueKind.Array)
        {
            foreach (var e in history.EnumerateArray())
            {
                table.Add(NodeReplies.Text(e, "at"), NodeReplies.Text(e, "type"), NodeReplies.Text(e, "detail"));
            }
        }

        table.Write(context.Out);
        return ExitCodes.Ok;
    }

    private static string Party(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var p) || p.ValueKind != JsonValueKind.Object)
        {
            return "-";
        }

        return $"{NodeReplies.Text(p, "aor")} contact {NodeReplies.Text(p, "contact")} via {NodeReplies.Text(p, "source")}/{NodeReplies.Text(p, "transport")}"
               + (p.TryGetProperty("instance", out var i) && i.ValueKind == JsonValueKind.String ? " " + i.GetString() : string.Empty);
    }
}
