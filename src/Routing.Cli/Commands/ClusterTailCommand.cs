using System.Text.Json;

namespace Routing.Cli.Commands;

/// <summary>
/// <c>routectl cluster tail [--count N] [--for SECONDS]</c>: the current members, then membership and reachability
/// events as they happen, until Ctrl-C, N events after the current members, SECONDS elapsed, or the node goes away.
/// </summary>
public sealed class ClusterTailCommand : IArgumentVerb
{
    private static readonly string[] Known = ["--count", "--for"];

    public string Group => "cluster";

    public string Name => "tail";

    public string Summary => "membership events as they happen (--count N, --for SECONDS)";

    public int MinArguments => 0;

    public int MaxArguments => 4;

    public string Usage => "[--count N] [--for SECONDS]";

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var error = VerbArguments.TryParse(context.Arguments, Known, out var args);
        int? count = null;
        TimeSpan? duration = null;
        error ??= args.Count("--count", out count) ?? args.Seconds("--for", out duration);
        if (error is not null || args.Positional.Count > 0)
        {
            await context.Error.WriteLineAsync("routectl: " + (error ?? $"'{args.Positional[0]}' is not an option; usage: routectl cluster tail {Usage}"));
            return ExitCodes.Usage;
        }

        var names = await NamesAsync(context, cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (duration is { } d)
        {
            stop.CancelAfter(d);
        }

        var events = 0;
        try
        {
            await foreach (var line in context.Client.ReadLinesAsync("/api/cluster/events", stop.Token).ConfigureAwait(false))
            {
                var isCurrent = Print(context, line, names);
                if (!isCurrent && count is { } max && ++events >= max)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // --for elapsed.
        }

        return ExitCodes.Ok;
    }

    /// <summary>Prints one event; returns true for the "Current" lines that open the stream.</summary>
    private static bool Print(VerbContext context, string line, Dictionary<string, string> names)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            context.Out.WriteLine(line);
            return false;
        }

        using (json)
        {
            var e = json.RootElement;
            var kind = NodeReplies.Text(e, "event");
            if (context.Options.Json)
            {
                context.Out.WriteLine(line);
            }
            else
            {
                var address = NodeReplies.Text(e, "address");
                var name = names.TryGetValue(address, out var n) ? n : "-";
                var time = e.TryGetProperty("time", out var t) && t.TryGetDateTimeOffset(out var at) ? at.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture) : "?";
                context.Out.WriteLine($"{time}  {kind,-18} {name,-10} {address}  {NodeReplies.Text(e, "status")}");
            }

            context.Out.Flush();
            return kind == "Current";
        }
    }

    private static async Task<Dictionary<string, string>> NamesAsync(VerbContext context, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var response = await context.Client.GetAsync("/api/nodes", cancellationToken).ConfigureAwait(false);
        using var json = response.IsSuccess ? response.TryJson() : null;
        if (json is not null && json.RootElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var n in json.RootElement.EnumerateArray())
            {
                if (NodeReplies.Text(n, "name") is { Length: > 0 } name)
                {
                    names[NodeReplies.Text(n, "address")] = name;
                }
            }
        }

        return names;
    }
}
