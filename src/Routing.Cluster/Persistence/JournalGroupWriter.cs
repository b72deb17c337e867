using System.Threading.Channels;

namespace Routing.Cluster.Journal;

/// <summary>One event as the journal table stores it.</summary>
internal sealed record JournalRow(
    string PersistenceId, long SequenceNr, long Created, byte[] Message, string Manifest, int Identifier, string[] Tags);

/// <summary>
/// One batch of atomic writes from one caller (null where serialization rejected one), completed once, by the writer
/// thread, after the commit that holds them or the failure that ended it.
/// </summary>
internal abstract class JournalWriteRequest(JournalRow[]?[] writes, int eventCount)
{
    public JournalRow[]?[] Writes { get; } = writes;

    public int EventCount { get; } = eventCount;

    /// <summary>Called once on the writer thread: null when committed, else why the write failed. Must neither block nor throw: it runs on the only writer thread.</summary>
    public abstract void Complete(Exception? failure);
}

/// <summary>A <c>WriteMessagesAsync</c> call (or a snapshot write, <see cref="SnapshotWriteRequest"/>): completes a task.</summary>
internal class TaskWriteRequest(JournalRow[]?[] writes, int eventCount) : JournalWriteRequest(writes, eventCount)
{
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Complete(Exception? failure)
    {
        if (failure is null)
        {
            Done.TrySetResult();
        }
        else
        {
            Done.TrySetException(failure);
        }
    }
}

/// <summary>
/// Group commit, whatever the database: one dedicated thread owns the only write connection, takes every request
/// waiting (from any number of persistence ids, up to <c>max-batch-events</c> events) and writes them in one transaction,
/// then completes each request. One commit (one fsync) for many events is what makes a journal fast. Requests are
/// written in arrival order, so order per persistence id holds. If a batch fails on a constraint, each request is
/// retried in a transaction of its own so that one bad request (e.g. a duplicate sequence number from a second
/// writer) fails only its own call; any other failure fails the whole batch at once.
/// </summary>
internal abstract class JournalGroupWriter : IDisposable
{
    private readonly Channel<JournalWriteRequest> _queue =
        Channel.CreateUnbounded<JournalWriteRequest>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly int _maxPendingEvents;
    private readonly int _maxBatchEvents;
    private readonly long _minCommitInterval;
    private long _lastCommitStart = long.MinValue / 2;
    private readonly Thread _thread;
    private readonly List<JournalWriteRequest> _batch = [];
    private readonly List<JournalWriteRequest> _single = [null!];
    private int _pendingEvents;
    private long _commits;
    private long _events;

    protected JournalGroupWriter(int maxPendingEvents, int maxBatchEvents, TimeSpan minCommitInterval, string name)
    {
        _maxPendingEvents = maxPendingEvents;
        _maxBatchEvents = maxBatchEvents;
        // In Stopwatch ticks: Environment.TickCount64 moves in steps of the kernel tick (up to 4 ms), too coarse here.
        _minCommitInterval = (long)(minCommitInterval.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        _thread = new Thread(Run) { IsBackground = true, Name = "journal-writer-" + name };
    }

    /// <summary>Transactions committed so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Events committed so far.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>How long <see cref="Dispose"/> waits for the queue to drain.</summary>
    protected abstract TimeSpan DrainTimeout { get; }

    /// <summary>Starts the writer thread; called once by the subclass's constructor, after its own fields are set.</summary>
    protected void Start() => _thread.Start();

    /// <summary>
    /// Queues a request unless more than <c>max-pending-events</c> events already wait (a lone request larger than the
    /// bound is still taken, so it cannot be refused forever).
    /// </summary>
    public bool TryEnqueue(JournalWriteRequest request)
    {
        var pending = Interlocked.Add(ref _pendingEvents, request.EventCount);
        if (pending > _maxPendingEvents && pending != request.EventCount)
        {
            Interlocked.Add(ref _pendingEvents, -request.EventCount);
            return false;
        }

        if (!_queue.Writer.TryWrite(request))
        {
            Interlocked.Add(ref _pendingEvents, -request.EventCount);
            return false;
        }

        return true;
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        // The writer thread finishes what is queued itself (the channel is single-reader).
        if (_thread.IsAlive)
        {
            _thread.Join(DrainTimeout);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Writes every event of <paramref name="requests"/> in one transaction; returns the number written.</summary>
    protected abstract int Commit(List<JournalWriteRequest> requests);

    /// <summary>True when the failure belongs to one request of the batch (a constraint), so each is retried alone.</summary>
    protected abstract bool IsPerRequestFailure(Exception failure);

    /// <summary>
    /// Writer thread, after each batch's requests are completed: one step of upkeep that no request waits for. Returns
    /// true when there is more to do at once (it is called again while no request waits). Must not throw.
    /// </summary>
    protected virtual bool AfterBatch() => false;

    /// <summary>Closes the write connection (the thread is ending).</summary>
    protected abstract void CloseConnection();

    private void Run()
    {
        try
        {
            var reader = _queue.Reader;

            // Synchronous continuations: a request wakes this blocked thread directly, not through the thread pool's queue.
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                WaitOutCommitInterval();
                _batch.Clear();
                var events = 0;
                while (events < _maxBatchEvents && reader.TryRead(out var request))
                {
                    _batch.Add(request);
                    events += request.EventCount;
                }

                CommitWithFallback();
                Interlocked.Add(ref _pendingEvents, -events);

                // Upkeep goes on while no request waits; a waiting request is served first.
                while (AfterBatch() && !reader.TryPeek(out _))
                {
                }
            }
        }
        finally
        {
            CloseConnection();
        }
    }

    /// <summary>
    /// <c>min-commit-interval</c>: under load, sleeps until the interval since the last commit's start has passed, so
    /// that what arrives meanwhile shares the next commit and its flush. An idle writer (its last commit long ago) does
    /// not wait, nor does one that already holds a full batch.
    /// </summary>
    private void WaitOutCommitInterval()
    {
        if (_minCommitInterval > 0)
        {
            var wait = _lastCommitStart + _minCommitInterval - System.Diagnostics.Stopwatch.GetTimestamp();
            if (wait > 0 && Volatile.Read(ref _pendingEvents) < _maxBatchEvents)
            {
                // Whole milliseconds, rounded up: Thread.Sleep would truncate a TimeSpan and wake early.
                Thread.Sleep((int)Math.Ceiling(wait * 1000.0 / System.Diagnostics.Stopwatch.Frequency));
            }
        }

        _lastCommitStart = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    private void CommitWithFallback()
    {
        try
        {
            Committed(Commit(_batch));
        }
        catch (Exception e) when (_batch.Count == 1)
        {
            _batch[0].Complete(e);
            return;
        }
        catch (Exception e) when (IsPerRequestFailure(e))
        {
            // A duplicate (persistence id, sequence number) belongs to one request: find out which, below.
            CommitEachAlone();
            return;
        }
        catch (Exception e)
        {
            // The connection, the disk or the database failed: every request would fail the same way, each after its
            // own timeout, so fail them all now instead of stalling the only writer N times.
            foreach (var request in _batch)
            {
                request.Complete(e);
            }

            return;
        }

        foreach (var request in _batch)
        {
            request.Complete(null);
        }
    }

    private void CommitEachAlone()
    {
        foreach (var request in _batch)
        {
            _single[0] = request;
            Exception? failure = null;
            try
            {
                Committed(Commit(_single));
            }
            catch (Exception e)
            {
                failure = e;
            }

            request.Complete(failure);
        }

        _single[0] = null!;
    }

    private void Committed(int events)
    {
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _events, events);
    }
}
