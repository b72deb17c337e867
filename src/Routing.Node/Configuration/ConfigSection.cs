using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Routing.Node.Configuration;

/// <summary>
/// One <c>routing.*</c> section of the config file as its reader sees it. Every key the reader asks for is recorded, so
/// that a key present in the file that no reader asked for (a typo such as <c>refresh-persistance</c>) is refused at
/// start, as Kamailio refuses an unknown modparam, instead of leaving its setting silently at the default.
/// </summary>
public sealed class ConfigSection
{
    private readonly Config _config;
    private readonly HashSet<string> _asked = new(StringComparer.Ordinal);

    /// <summary>The sections the node reads; any other key directly under <c>routing</c> is refused.</summary>
    public static readonly IReadOnlyList<string> Sections = ["node", "registrar", "proxy"];

    public ConfigSection(Config? file, string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = root;
        _config = file is not null && file.HasPath(root) ? file.GetConfig(root) : ConfigurationFactory.Empty;
    }

    /// <summary>The section's path, e.g. <c>routing.registrar</c>.</summary>
    public string Root { get; }

    public bool HasPath(string key) => _config.HasPath(Asked(key));

    public string GetString(string key, string? fallback = null) => _config.GetString(Asked(key), fallback);

    public int GetInt(string key, int fallback = 0) => _config.GetInt(Asked(key), fallback);

    public bool GetBoolean(string key, bool fallback = false) => _config.GetBoolean(Asked(key), fallback);

    public TimeSpan GetTimeSpan(string key, TimeSpan? fallback = null) => _config.GetTimeSpan(Asked(key), fallback);

    public long? GetByteSize(string key) => _config.GetByteSize(Asked(key));

    public IList<string> GetStringList(string key) => _config.GetStringList(Asked(key));

    public IList<string> GetStringList(string key, string[] fallback) => _config.GetStringList(Asked(key), fallback);

    /// <summary>Marks a key as read elsewhere (by another part of the node), so that it is not refused as unknown.</summary>
    public void ReadElsewhere(string key) => Asked(key);

    /// <summary>
    /// The full path of the first key (in file order) under this section that no reader asked for, or null. Call it
    /// after the section has been read. A key is known if it, or an object that contains it, was asked for.
    /// </summary>
    public string? FirstUnknownKey()
    {
        var root = _config.Root;
        return root is not null && root.IsObject() ? FirstUnknown(root.GetObject(), string.Empty) : null;
    }

    /// <summary>
    /// Throws a <see cref="ConfigurationException"/> naming the first unknown key (see <see cref="FirstUnknownKey"/>);
    /// <paramref name="sample"/> is the file in cluster-config/ that lists the section's keys.
    /// </summary>
    public void ThrowIfUnknownKey(string sample)
    {
        if (FirstUnknownKey() is { } unknown)
        {
            throw new ConfigurationException($"{unknown}: unknown key; the keys are listed in cluster-config/{sample}");
        }
    }

    /// <summary>The first key directly under <c>routing</c> that is not one of <see cref="Sections"/>, or null.</summary>
    public static string? FirstUnknownSection(Config? file)
    {
        if (file is null || !file.HasPath("routing"))
        {
            return null;
        }

        var routing = file.GetValue("routing");
        if (!routing.IsObject())
        {
            return "routing";
        }

        foreach (var key in routing.GetObject().Items.Keys)
        {
            if (!Sections.Contains(key))
            {
                return "routing." + key;
            }
        }

        return null;
    }

    private string? FirstUnknown(HoconObject node, string prefix)
    {
        foreach (var (key, value) in node.Items)
        {
            var path = prefix + key;
            if (_asked.Contains(path))
            {
                continue;
            }

            if (value.IsObject())
            {
                if (FirstUnknown(value.GetObject(), path + ".") is { } inner)
                {
                    return inner;
                }

                continue;
            }

            return Root + "." + path;
        }

        return null;
    }

    private string Asked(string key)
    {
        _asked.Add(key);
        return key;
    }
}
