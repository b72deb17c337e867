namespace Routing.Node.Hosting;

/// <summary>Facts about this process that appear after start: when it started and which incarnation the ledger gave it.</summary>
public sealed class NodeRuntime
{
    private long _incarnation;

    public NodeRuntime(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        StartedAt = time.GetUtcNow();
    }

    public DateTimeOffset StartedAt { get; }

    /// <summary>0 until the ledger has persisted this start.</summary>
    public long Incarnation
    {
        get => Interlocked.Read(ref _incarnation);
        set => Interlocked.Exchange(ref _incarnation, value);
    }
}
