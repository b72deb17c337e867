using System.Runtime.CompilerServices;

namespace Routing.Sip.Transactions;

/// <summary>Fixed room for the actions of one step: no transition of RFC 3261 §17 needs more than six.</summary>
[InlineArray(Capacity)]
internal struct TransactionActionBuffer
{
    public const int Capacity = 6;

    private TransactionAction _first;
}

/// <summary>
/// The result of applying one input: the new state and the ordered actions. A value type with inline storage,
/// so a step allocates nothing.
/// </summary>
public struct TransactionStep
{
    private TransactionActionBuffer _actions;

    internal TransactionStep(TransactionState state)
    {
        State = state;
    }

    /// <summary>The state after the input.</summary>
    public TransactionState State { get; internal set; }

    /// <summary>How many actions the step holds.</summary>
    public int Count { get; private set; }

    /// <summary>The action at <paramref name="index"/>, in the order they must be carried out.</summary>
    public readonly TransactionAction this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return _actions[index];
        }
    }

    /// <summary>True when the input was ignored: same state, no action (e.g. a stale timer or a stray response).</summary>
    public readonly bool IsIgnored(TransactionState before) => Count == 0 && State == before;

    /// <summary>Copies the actions out; for tests and diagnostics, not the hot path.</summary>
    public readonly TransactionAction[] ToArray()
    {
        var result = new TransactionAction[Count];
        for (var i = 0; i < Count; i++)
        {
            result[i] = _actions[i];
        }

        return result;
    }

    internal void Add(TransactionAction action)
    {
        // Capacity is a design bound of the machines, not input-dependent: overflowing it is a bug here.
        if (Count == TransactionActionBuffer.Capacity)
        {
            throw new InvalidOperationException("A transaction step produced more actions than its capacity.");
        }

        _actions[Count++] = action;
    }

    internal void Add(TransactionActionKind kind, int statusCode = 0) => Add(TransactionAction.Of(kind, statusCode));

    internal void Start(TransactionTimer timer, TimeSpan dueAt) => Add(TransactionAction.Start(timer, dueAt));

    internal void Cancel(TransactionTimer timer) => Add(TransactionAction.Cancel(timer));
}
