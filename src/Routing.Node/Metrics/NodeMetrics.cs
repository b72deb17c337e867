using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Routing.Node.Metrics;

/// <summary>Process-level series the runtime meter lacks: start time and open file descriptors, Prometheus style.</summary>
public sealed class NodeMetrics : IDisposable
{
    public const string MeterName = "Routing.Node";

    private readonly Meter _meter;

    public NodeMetrics(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _meter = new Meter(MeterName);
        var startedAt = time.GetUtcNow();
        _meter.CreateObservableGauge("process.start_time", () => startedAt.ToUnixTimeMilliseconds() / 1000.0, "s",
            "Start time of the process since the Unix epoch");
        _meter.CreateObservableGauge("process.resident_memory", () => Environment.WorkingSet, "By",
            "Resident memory of the process");
        _meter.CreateObservableCounter("process.cpu", () => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, "s",
            "User and system CPU time spent by the process");
        _meter.CreateObservableGauge("process.threads", () => Process.GetCurrentProcess().Threads.Count, null,
            "Operating system threads of the process");
    }

    public void Dispose() => _meter.Dispose();
}
