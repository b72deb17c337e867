using System.Text.Json;

namespace Routing.Cli;

/// <summary>
/// <c>.cluster/nodes.json</c> as <c>build.ps1 cluster-up</c> writes it: lets <c>--node node2</c> stand for that member's
/// admin URL and token file. The path can be changed with <c>ROUTECTL_CLUSTER_FILE</c>.
/// </summary>
public static class ClusterFile
{
    public const string DefaultPath = ".cluster/nodes.json";
    public const string EnvironmentVariable = "ROUTECTL_CLUSTER_FILE";

    /// <summary>Finds <paramref name="name"/>; null when the file is absent, unreadable or has no such member.</summary>
    public static (Uri Admin, string? TokenFile)? Find(string name, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var path = environment(EnvironmentVariable) is { Length: > 0 } p ? p : DefaultPath;
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            if (json.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (var n in json.RootElement.EnumerateArray())
            {
                if (n.ValueKind == JsonValueKind.Object && n.TryGetProperty("name", out var nm) && nm.GetString() == name
                    && n.TryGetProperty("admin", out var admin) && Uri.TryCreate(admin.GetString(), UriKind.Absolute, out var uri))
                {
                    return (uri, n.TryGetProperty("tokenFile", out var t) ? t.GetString() : null);
                }
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }

        return null;
    }
}
