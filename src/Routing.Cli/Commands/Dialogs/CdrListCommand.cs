using System.Globalization;
using System.Text.Json;

namespace Routing.Cli.Commands.Dialogs;

/// <summary><c>routectl cdr list [--user AOR] [--since TIME] [--limit N]</c>: call detail records, newest first.</summary>
public sealed class CdrListCommand : IVerb
{
    private const string Usage = "usage: routectl cdr list [--user AOR] [--since TIME] [--limit N] [--json]";

    public string Group => "cdr";

    public string Name => "list";

    public string Summary => "call detail records (--user AOR, --since TIME)";

    public int MaxArguments => 8;

    public async Task<int> RunAsync(VerbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var query = new List<string>();
        var args = context.Arguments;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = Split(args[i]);
            if (name is not ("--user" or "--since" or "--limit"))
            {
                await context.Error.WriteLineAsync($"routectl: cdr list: unexpected '{args[i]}'; {Usage}");
                return ExitCodes.Usage;
            }

            var value = inline ?? (i + 1 < args.Count ? args[++i] : null);
            if (string.IsNullOrEmpty(value))
            {
                await context.Error.WriteLineAsync($"routectl: cdr list: {name} needs a value; {Usage}");
                return ExitCodes.Usage;
            }

            switch (name)
            {
                case "--since":
                    if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since))
                    {
                        await context.Error.WriteLineAsync($"routectl: cdr list: --since '{value}' is not a time; e.g. 2026-11-26T15:00:00Z");
                        return ExitCodes.Usage;
                    }

                    query.Add("since=" + Uri.EscapeDataString(since.ToString("o", CultureInfo.InvariantCulture)));
                    break;
                case "--limit":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1)
                    {
                        await context.Error.WriteLineAsync($"routectl: cdr list: --limit '{value}' is not a positive number");
                        return ExitCodes.Usage;
                    }

                    query.Add("limit=" + limit.ToString(CultureInfo.InvariantCulture));
                    break;
                default:
                    query.Add("user=" + Uri.EscapeDataString(value));
                    break;
            }
        }

        var path = "/api/cdr" + (query.Count > 0 ? "?" + string.Join("&", query) : string.Empty);
        var response = await context.Client.GetAsync(path, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return NodeReplies.Failure(context, response);
        }

        if (context.Options.Json)
        {
            // A JSON array, one object per call (the admin API's shape).
            NodeReplies.WriteJson(context, response);
            return ExitCodes.Ok;
        }

        using var json = response.TryJson();
        if (json is null || json.RootElement.ValueKind != JsonValueKind.Array)
        {
            return NodeReplies.Failure(context, response);
        }

        CdrTable.Write(context.Out, json.RootElement, activeOnly: false);
        return ExitCodes.Ok;
    }

    private static (string Name, string? Inline) Split(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }
}
