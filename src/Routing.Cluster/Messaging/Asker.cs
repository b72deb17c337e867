using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using Akka.Actor;

namespace Routing.Cluster.Messaging;

/// <summary>
/// Request-reply to actors for hot paths: each ask gets a one-shot reply target (a temporary actor reference, so a
/// reply from another node finds it), and one timer sweeps every pending ask for the timeout.
/// </summary>
/// <remarks>
/// <para>Why not Akka's <c>Ask</c>: per call it allocates a task completion source, a future reference, a cancellation
/// source with its own timer, token registrations and a continuation task, and the future reference keeps the reply
/// (and everything the reply references) reachable for as long as the actor that answered keeps it as its last
/// <c>Sender</c>. A persistent actor does keep it: the journal's write confirmation carries the original sender, and
/// the actor's cell holds it until its next message. At the registrar's rate of about one REGISTER per AOR per second
/// that was one reply graph per user entity promoted by every gen0 collection.</para>
/// <para>Here an ask allocates its target (which is also the awaited value source) and its path; the target lets go of
/// its result as soon as the awaiting code has taken it. Timeouts have a resolution of a tenth of the timeout (at least
/// 20 ms), which is plenty for a registrar's 5 s.</para>
/// </remarks>
public sealed class Asker : IDisposable
{
    private readonly IActorRefProvider _provider;
    private readonly TimeProvider _time;
    private readonly long _timeoutTicks;
    private readonly ConcurrentDictionary<ReplyTarget, long> _pending = new(ReferenceEqualityComparer.Instance);
    private readonly ITimer _sweep;
    private bool _disposed;

    /// <param name="provider">The actor system's reference provider (for temporary paths).</param>
    /// <param name="timeout">How long an ask waits for its reply.</param>
    /// <param name="time">The clock of the timeout sweep.</param>
    public Asker(IActorRefProvider provider, TimeSpan timeout, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _timeoutTicks = (long)(timeout.TotalSeconds * time.TimestampFrequency);
        var period = TimeSpan.FromTicks(Math.Max(timeout.Ticks / 10, TimeSpan.FromMilliseconds(20).Ticks));
        _sweep = time.CreateTimer(static s => ((Asker)s!).Sweep(), this, period, period);
    }

    /// <summary>Asks made and not yet answered or timed out.</summary>
    public int Pending => _pending.Count;

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="target"/> with a reply target as its sender. The result is
    /// the first message sent to that target, or null when none came within the timeout.
    /// </summary>
    public ValueTask<object?> AskAsync(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        var reply = new ReplyTarget(this, _provider.TempPath());
        _provider.RegisterTempActor(reply, reply.Path);
        _pending[reply] = _time.GetTimestamp() + _timeoutTicks;
        if (Volatile.Read(ref _disposed))
        {
            // Disposed meanwhile: the sweep is gone, so nothing would ever end this ask.
            reply.Complete(null);
            return reply.Task;
        }

        target.Tell(message, reply);
        return reply.Task;
    }

    private void Sweep()
    {
        var now = _time.GetTimestamp();
        foreach (var entry in _pending)
        {
            if (entry.Value <= now)
            {
                entry.Key.Complete(null);
            }
        }
    }

    private void Forget(ReplyTarget reply)
    {
        _pending.TryRemove(reply, out _);
        _provider.UnregisterTempActor(reply.Path);
    }

    /// <summary>Stops the sweep; asks still pending complete with null.</summary>
    public void Dispose()
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        Volatile.Write(ref _disposed, true);
        _sweep.Dispose();
        foreach (var entry in _pending)
        {
            entry.Key.Complete(null);
        }
    }

    /// <summary>One ask's sender: completes once, on the first message told to it (or the timeout), then forgets it.</summary>
    private sealed class ReplyTarget : MinimalActorRef, IValueTaskSource<object?>
    {
        private readonly Asker _owner;
        private ManualResetValueTaskSourceCore<object?> _core;
        private int _completed;

        public ReplyTarget(Asker owner, ActorPath path)
        {
            _owner = owner;
            Path = path;
            // Continuations run on the thread pool, never inside the replying actor's turn.
            _core.RunContinuationsAsynchronously = true;
        }

        public override ActorPath Path { get; }

        public override IActorRefProvider Provider => _owner._provider;

        public ValueTask<object?> Task => new(this, _core.Version);

        protected override void TellInternal(object message, IActorRef sender) => Complete(message);

        public void Complete(object? message)
        {
            if (Interlocked.Exchange(ref _completed, 1) != 0)
            {
                return;
            }

            _owner.Forget(this);
            _core.SetResult(message);
        }

        public object? GetResult(short token)
        {
            var result = _core.GetResult(token);
            // The answering actor may keep this reference as its last Sender: keep nothing of the reply reachable.
            _core.Reset();
            return result;
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
