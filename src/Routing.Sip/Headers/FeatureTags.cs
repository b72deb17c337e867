using System.Text;
using Routing.Sip.Syntax;

namespace Routing.Sip.Headers;

/// <summary>
/// Feature parameters of Contact, Accept-Contact and Reject-Contact (RFC 3840 §9, RFC 3841 §10): the base tags (e.g.
/// "audio", "video", "mobility", "methods") are written without their "sip." prefix, every other tag with a leading
/// "+" (e.g. "+g.3gpp.icsi-ref"). Lookups accept either the registered name ("sip.video") or the encoded one.
/// </summary>
public static class FeatureTags
{
    /// <summary>
    /// True when <paramref name="name"/> encodes a feature tag: a "+" tag or a base tag of RFC 3840 §10. "+sip.instance"
    /// is the RFC 5626 instance id, not a capability, and is excluded.
    /// </summary>
    public static bool IsFeatureParameter(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }

        if (name[0] == (byte)'+')
        {
            return name.Length > 1 && !Ascii.EqualsIgnoreCase(name, "+sip.instance"u8);
        }

        return IsBaseTag(name);
    }

    /// <summary>
    /// Finds feature tag <paramref name="tag"/> among generic parameters. "sip.video", "video" and "+sip.video" find
    /// one another; any other name is matched as given (with or without its "+"). A value is returned without DQUOTEs;
    /// a tag without value is boolean true (RFC 3840 §9).
    /// </summary>
    public static bool TryFind(ReadOnlySpan<byte> parameters, ReadOnlySpan<byte> tag, out ReadOnlySpan<byte> value)
    {
        var wanted = Canonical(tag);
        var e = new SipParameterEnumerator(parameters, SipParameterSyntax.Header);
        while (e.MoveNext())
        {
            var name = e.Current.Name;
            if (IsFeatureParameter(name) && Ascii.EqualsIgnoreCase(Canonical(name), wanted))
            {
                value = e.Current.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    // "+sip.video", "sip.video" and "video" all name the base tag "video"; other tags lose only their "+".
    private static ReadOnlySpan<byte> Canonical(ReadOnlySpan<byte> name)
    {
        if (!name.IsEmpty && name[0] == (byte)'+')
        {
            name = name[1..];
        }

        if (name.Length > 4 && Ascii.EqualsIgnoreCase(name[..4], "sip."u8) && IsBaseTag(name[4..]))
        {
            return name[4..];
        }

        return name;
    }

    /// <summary>Enumerates only the feature parameters of a generic-param list.</summary>
    public static FeatureTagEnumerator Enumerate(ReadOnlySpan<byte> parameters) => new(parameters);

    // RFC 3840 §10 registers these base tags under the sip. tree; in Contact they appear without the prefix.
    private static bool IsBaseTag(ReadOnlySpan<byte> name) =>
        Is(name, "audio"u8) || Is(name, "video"u8) || Is(name, "application"u8) || Is(name, "data"u8)
        || Is(name, "control"u8) || Is(name, "text"u8) || Is(name, "automata"u8) || Is(name, "class"u8)
        || Is(name, "duplex"u8) || Is(name, "mobility"u8) || Is(name, "description"u8) || Is(name, "events"u8)
        || Is(name, "priority"u8) || Is(name, "methods"u8) || Is(name, "extensions"u8) || Is(name, "schemes"u8)
        || Is(name, "actor"u8) || Is(name, "isfocus"u8) || Is(name, "language"u8) || Is(name, "type"u8);

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> tag) => Ascii.EqualsIgnoreCase(name, tag);
}

/// <summary>Enumerates the feature parameters (see <see cref="FeatureTags.IsFeatureParameter"/>) of a parameter list.</summary>
public ref struct FeatureTagEnumerator
{
    private SipParameterEnumerator _inner;

    /// <summary>Starts enumerating.</summary>
    public FeatureTagEnumerator(ReadOnlySpan<byte> parameters) => _inner = new SipParameterEnumerator(parameters, SipParameterSyntax.Header);

    /// <summary>The current feature parameter.</summary>
    public readonly SipParameter Current => _inner.Current;

    /// <summary>Lets the enumerator be used in <c>foreach</c>.</summary>
    public readonly FeatureTagEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next feature parameter.</summary>
    public bool MoveNext()
    {
        while (_inner.MoveNext())
        {
            if (FeatureTags.IsFeatureParameter(_inner.Current.Name))
            {
                return true;
            }
        }

        return false;
    }
}
