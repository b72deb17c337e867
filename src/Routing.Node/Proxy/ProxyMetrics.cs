using System.Diagnostics.Metrics;
using Routing.Edge.Proxy;

namespace Routing.Node.Proxy;

/// <summary>
/// Proxy instruments of the <c>Routing.Proxy</c> meter, read from the <see cref="ProxyHandler"/> at scrape time:
/// requests forwarded, new calls shed with 503 (RFC 3261 §21.5.4) and calls being set up now.
/// </summary>
public sealed class ProxyMetrics : IDisposable
{
    public const string MeterName = "Routing.Proxy";

    private readonly Meter _meter;

    public ProxyMetrics(ProxyHandler handler)
        : this(MeterName, () => handler.Forwarded, () => handler.Shed, () => handler.CallsSettingUp)
    {
    }

    internal ProxyMetrics(string meterName, Func<long> forwarded, Func<long> shed, Func<int> settingUp)
    {
        _meter = new Meter(meterName);
        _meter.CreateObservableCounter("sip.proxy.forwarded", forwarded, null, "Requests forwarded by the proxy");
        _meter.CreateObservableCounter("sip.proxy.calls.shed", shed, null,
            "New INVITEs answered 503 with Retry-After because max-calls-setting-up calls were being set up");
        _meter.CreateObservableGauge("sip.proxy.calls.setting_up", settingUp, null,
            "Initial INVITEs without a final response yet");
    }

    public void Dispose() => _meter.Dispose();
}
