namespace Routing.Node.Configuration;

/// <summary>Why a flag or config value was refused.</summary>
public enum OptionErrorKind
{
    UnknownFlag,
    MissingValue,
    InvalidValue,
    DuplicateValue,
    MissingRequired,
    ConfigFileUnreadable,
    ConfigFileInvalid,
    UnknownConfigKey,
}

/// <summary>A refused setting: which one, why, and what would have been accepted.</summary>
/// <param name="Setting">The flag (<c>--sip</c>) or HOCON path (<c>routing.node.sip.listen</c>) at fault.</param>
/// <param name="Detail">What was wrong and the accepted values, ready to print.</param>
public sealed record OptionError(OptionErrorKind Kind, string Setting, string Detail)
{
    /// <summary>The one line the node prints on stderr before exiting with code 2.</summary>
    public override string ToString() => Setting + ": " + Detail;
}
