using System.Diagnostics.Metrics;

namespace Routing.Edge.Registrar;

/// <summary>
/// Registrar counters of the <c>Routing.Registrar</c> meter: REGISTER answers by status, failed digest attempts and
/// lock-outs by scope (source address here; per AOR from <see cref="AorCounters"/>, which the node points at the entities).
/// </summary>
public sealed class RegistrarEdgeMetrics : IDisposable
{
    public const string MeterName = "Routing.Registrar";

    private const int MaxStatus = 700;
    private readonly long[] _answers = new long[MaxStatus];
    private readonly Meter _meter;
    private long _authFailures;
    private long _sourceLockouts;
    private long _lockedOutRequests;
    private long _unavailable;

    public RegistrarEdgeMetrics()
    {
        _meter = new Meter(MeterName);
        _meter.CreateObservableCounter("sip.register.responses", ObserveAnswers, null, "REGISTER responses by status code");
        _meter.CreateObservableCounter("sip.register.auth.failures", ObserveFailures, null, "Failed digest attempts, by scope (source, aor)");
        _meter.CreateObservableCounter("sip.register.lockouts", ObserveLockouts, null, "Lock-outs started, by scope (source, aor)");
        _meter.CreateObservableCounter("sip.register.locked.requests", () => Interlocked.Read(ref _lockedOutRequests), null,
            "REGISTERs refused because their source or AOR was locked out");
        _meter.CreateObservableCounter("sip.register.unavailable", () => Interlocked.Read(ref _unavailable), null,
            "REGISTERs answered 500 because the registrar or its journal failed, or 503 because too many were in progress");
    }

    /// <summary>Per-AOR counters (failed attempts, lock-outs) read at scrape time; null when none are wired.</summary>
    public Func<(long Failures, long Lockouts)>? AorCounters { get; set; }

    public long AuthenticationFailures => Interlocked.Read(ref _authFailures);

    public long SourceLockouts => Interlocked.Read(ref _sourceLockouts);

    public long Count(int status) => (uint)status < MaxStatus ? Interlocked.Read(ref _answers[status]) : 0;

    public void Answered(int status)
    {
        if ((uint)status < MaxStatus)
        {
            Interlocked.Increment(ref _answers[status]);
        }
    }

    public void AuthenticationFailed() => Interlocked.Increment(ref _authFailures);

    public void SourceLockedOut() => Interlocked.Increment(ref _sourceLockouts);

    public void LockedOutRequest() => Interlocked.Increment(ref _lockedOutRequests);

    public void Unavailable() => Interlocked.Increment(ref _unavailable);

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveAnswers()
    {
        for (var s = 100; s < MaxStatus; s++)
        {
            var v = Interlocked.Read(ref _answers[s]);
            if (v != 0)
            {
                yield return new Measurement<long>(v, new KeyValuePair<string, object?>("status", s));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveFailures()
    {
        yield return new Measurement<long>(AuthenticationFailures, new KeyValuePair<string, object?>("scope", "source"));
        if (AorCounters is { } aor)
        {
            yield return new Measurement<long>(aor().Failures, new KeyValuePair<string, object?>("scope", "aor"));
        }
    }

    private IEnumerable<Measurement<long>> ObserveLockouts()
    {
        yield return new Measurement<long>(SourceLockouts, new KeyValuePair<string, object?>("scope", "source"));
        if (AorCounters is { } aor)
        {
            yield return new Measurement<long>(aor().Lockouts, new KeyValuePair<string, object?>("scope", "aor"));
        }
    }
}
