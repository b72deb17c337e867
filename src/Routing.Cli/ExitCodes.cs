namespace Routing.Cli;

/// <summary>routectl's exit codes; stable, scripts depend on them.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked (for <c>node health</c>: the node is ready).</summary>
    public const int Ok = 0;

    /// <summary>The node answered with a failure: not ready, wrong token (401), or an error status.</summary>
    public const int NodeFailure = 1;

    /// <summary>Bad command line: unknown verb or flag, missing value, unreadable token file.</summary>
    public const int Usage = 2;

    /// <summary>The node could not be reached: connection refused, timeout, bad address.</summary>
    public const int Unreachable = 3;
}
