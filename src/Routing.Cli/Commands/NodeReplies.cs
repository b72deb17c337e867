using System.Text.Json;

namespace Routing.Cli.Commands;

/// <summary>Shared handling of the node's answers: error lines and tolerant JSON reads.</summary>
internal static class NodeReplies
{
    /// <summary>Prints why the node refused and returns <see cref="ExitCodes.NodeFailure"/>.</summary>
    public static int Failure(VerbContext context, AdminResponse response)
    {
        var detail = response.Body;
        using (var json = response.TryJson())
        {
            if (json is not null && json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String)
            {
                detail = d.GetString() ?? string.Empty;
            }
        }

        var line = $"routectl: the node answered {(int)response.Status} {response.Status}";
        context.Error.WriteLine(string.IsNullOrWhiteSpace(detail) ? line : line + ": " + detail.Trim());
        return ExitCodes.NodeFailure;
    }

    public static void WriteJson(VerbContext context, AdminResponse response)
    {
        using var json = response.TryJson();
        if (json is null)
        {
            context.Out.WriteLine(response.Body);
            return;
        }

        context.Out.WriteLine(JsonSerializer.Serialize(json.RootElement, Indented));
    }

    public static string Text(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() ?? string.Empty,
            JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
            _ => v.GetRawText(),
        } : string.Empty;

    public static bool Flag(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.True;

    public static string Joined(JsonElement e, string property)
    {
        if (!e.TryGetProperty(property, out var v) || v.ValueKind != JsonValueKind.Array)
        {
            return string.Empty;
        }

        var items = new List<string>();
        foreach (var item in v.EnumerateArray())
        {
            items.Add(item.ValueKind == JsonValueKind.String ? item.GetString() ?? string.Empty : item.GetRawText());
        }

        return string.Join(",", items);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
