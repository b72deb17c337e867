using System.Globalization;

namespace Routing.Cli.Commands;

/// <summary>Positional words and <c>--name value</c> options after a verb.</summary>
internal sealed class VerbArguments
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    /// <summary>Splits <paramref name="words"/>; returns an error line for an option that is not in <paramref name="known"/>.</summary>
    public static string? TryParse(IReadOnlyList<string> words, IReadOnlyCollection<string> known, out VerbArguments parsed)
    {
        parsed = new VerbArguments();
        for (var i = 0; i < words.Count; i++)
        {
            var w = words[i];
            if (!w.StartsWith("--", StringComparison.Ordinal))
            {
                parsed.Positional.Add(w);
                continue;
            }

            if (!known.Contains(w))
            {
                return $"{w}: unknown option";
            }

            if (i + 1 >= words.Count)
            {
                return $"{w}: needs a value";
            }

            parsed._options[w] = words[++i];
        }

        return null;
    }

    public string? Option(string name) => _options.TryGetValue(name, out var v) ? v : null;

    /// <summary>A positive number of seconds, or null when absent; an error line when it is not one.</summary>
    public string? Seconds(string name, out TimeSpan? value)
    {
        value = null;
        if (Option(name) is not { } text)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || s <= 0 || s > 86400)
        {
            return $"{name}: '{text}' is not a number of seconds between 0 and 86400";
        }

        value = TimeSpan.FromSeconds(s);
        return null;
    }

    public string? Count(string name, out int? value)
    {
        value = null;
        if (Option(name) is not { } text)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return $"{name}: '{text}' is not a positive count";
        }

        value = n;
        return null;
    }
}
