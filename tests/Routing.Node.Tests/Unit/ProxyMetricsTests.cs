using Routing.Node.Metrics;
using Routing.Node.Proxy;

namespace Routing.Node.Tests.Unit;

public sealed class ProxyMetricsTests
{
    [Fact]
    public void Render_ProxyCounters_ShowForwardedShedAndSettingUpAtScrapeTime()
    {
        var name = "Routing.ProxyTest." + Guid.NewGuid().ToString("N");
        long forwarded = 0, shed = 0;
        var settingUp = 0;
        using var metrics = new ProxyMetrics(name, () => forwarded, () => shed, () => settingUp);
        using var exporter = new PrometheusExporter(m => m.Name == name);

        forwarded = 41;
        shed = 3;
        settingUp = 2000;
        var text = exporter.Render();

        Assert.Contains("sip_proxy_forwarded_total 41\n", text, StringComparison.Ordinal);
        Assert.Contains("sip_proxy_calls_shed_total 3\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE sip_proxy_calls_setting_up gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("sip_proxy_calls_setting_up 2000\n", text, StringComparison.Ordinal);
    }
}
