using System.Diagnostics.Metrics;
using Routing.Node.Metrics;

namespace Routing.Node.Tests.Unit;

public sealed class PrometheusExporterTests : IDisposable
{
    private readonly string _meterName = "Routing.Test." + Guid.NewGuid().ToString("N");
    private readonly Meter _meter;
    private readonly PrometheusExporter _exporter;

    public PrometheusExporterTests()
    {
        _meter = new Meter(_meterName);
        _exporter = new PrometheusExporter(m => m.Name == _meterName);
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void Counter_RenderedAsTotalWithHelpTypeAndSortedLabels()
    {
        var c = _meter.CreateCounter<long>("sip.test.requests", null, "Test requests");
        c.Add(2, new KeyValuePair<string, object?>("method", "OPTIONS"), new KeyValuePair<string, object?>("code", 200));
        c.Add(3, new KeyValuePair<string, object?>("code", 200), new KeyValuePair<string, object?>("method", "OPTIONS"));

        var text = _exporter.Render();

        Assert.Contains("# HELP sip_test_requests_total Test requests\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE sip_test_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("sip_test_requests_total{code=\"200\",method=\"OPTIONS\"} 5\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ObservableGauge_UnitSuffixAndLatestValue()
    {
        var value = 1.5;
        _meter.CreateObservableGauge("queue.wait", () => value, "s", "Wait");

        _exporter.Render();
        value = 2.25;
        var text = _exporter.Render();

        Assert.Contains("# TYPE queue_wait_seconds gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("queue_wait_seconds 2.25\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ObservableCounter_ReportsCumulativeValueNotASum()
    {
        long total = 10;
        _meter.CreateObservableCounter("bytes.in", () => total, "By");

        _exporter.Render();
        total = 15;
        var text = _exporter.Render();

        Assert.Contains("bytes_in_bytes_total 15\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelValue_QuotesBackslashesAndNewlinesEscaped()
    {
        var c = _meter.CreateCounter<int>("escapes");
        c.Add(1, new KeyValuePair<string, object?>("v", "a\"b\\c\nd"));

        var text = _exporter.Render();

        Assert.Contains("escapes_total{v=\"a\\\"b\\\\c\\nd\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_NotExported()
    {
        _meter.CreateHistogram<double>("latency").Record(1.0);

        Assert.DoesNotContain("latency", _exporter.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void EdgeMetrics_ExportedUnderStableNames()
    {
        using var exporter = new PrometheusExporter(m => m.Name == Routing.Edge.EdgeMetrics.MeterName);
        using var edge = new Routing.Edge.EdgeMetrics();
        edge.RequestReceived(Routing.Sip.Message.SipMethod.Options);
        edge.ResponseSent(Routing.Sip.Message.SipMethod.Options, 200);
        edge.ParseRejected(Routing.Sip.Message.SipRejectionReason.InvalidVia);

        var text = exporter.Render();

        Assert.Contains("sip_requests_received_total{method=\"OPTIONS\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("sip_responses_sent_total{method=\"OPTIONS\",status=\"200\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("sip_parse_rejections_total{reason=\"invalid-via\"} 1\n", text, StringComparison.Ordinal);
    }
}
