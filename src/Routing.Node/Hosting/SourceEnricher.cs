using Serilog.Core;
using Serilog.Events;

namespace Routing.Node.Hosting;

/// <summary>
/// Adds a short <c>Source</c> property to every event: Akka's <c>LogSource</c> (e.g. "Cluster (akka://routing)") for
/// actor-system logs, whose SourceContext is a placeholder class, otherwise the logger category.
/// </summary>
public sealed class SourceEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(propertyFactory);
        var source = logEvent.Properties.TryGetValue("LogSource", out var akka) ? Text(akka)
            : logEvent.Properties.TryGetValue("SourceContext", out var context) ? Text(context)
            : "node";
        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty("Source", source));
    }

    private static string Text(LogEventPropertyValue value) =>
        value is ScalarValue { Value: string s } ? s : value.ToString();
}
