namespace Routing.Node.Hosting;

/// <summary>Why the node could not start although its settings were valid.</summary>
public enum StartupFailureKind
{
    DataFolderNotWritable,
    JournalFileUnusable,
    AdminTokenUnusable,
    PortInUse,
    AddressNotAvailable,
    PermissionDenied,
    SocketError,
    TlsUnusable,
    FlowSecretUnusable,
}

/// <summary>A start failure naming the setting at fault; printed as one line, exit code 1.</summary>
public sealed record StartupFailure(StartupFailureKind Kind, string Setting, string Detail)
{
    public override string ToString() => Setting + ": " + Detail;
}

/// <summary>Thrown inside start-up code paths and turned into one stderr line by <see cref="NodeProgram"/>.</summary>
public sealed class StartupFailureException : Exception
{
    public StartupFailureException(StartupFailure failure) : base(failure?.ToString()) => Failure = failure!;

    public StartupFailureException() : base() => Failure = new StartupFailure(StartupFailureKind.SocketError, "node", "start failed");

    public StartupFailureException(string message) : base(message) => Failure = new StartupFailure(StartupFailureKind.SocketError, "node", message);

    public StartupFailureException(string message, Exception inner) : base(message, inner) =>
        Failure = new StartupFailure(StartupFailureKind.SocketError, "node", message);

    public StartupFailure Failure { get; }
}
