using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Routing.Node.Metrics;

/// <summary>
/// Renders System.Diagnostics.Metrics instruments in the Prometheus text exposition format (version 0.0.4). It listens
/// to the project's meters (<c>Routing.*</c>) and the runtime's (<c>System.Runtime</c>: GC, CPU, memory, thread pool).
/// Counters become <c>_total</c> series, everything else a gauge; histograms are not exported.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener;
    private readonly Func<Meter, bool> _include;
    private readonly Lock _gate = new();
    private readonly Dictionary<Instrument, Family> _families = [];

    public PrometheusExporter(Func<Meter, bool>? include = null)
    {
        _include = include ?? DefaultInclude;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (_include(instrument.Meter) && Family.Supports(instrument))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<short>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<byte>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<decimal>((i, v, tags, _) => Record(i, (double)v, tags));
        _listener.Start();
    }

    public static bool DefaultInclude(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        return meter.Name.StartsWith("Routing.", StringComparison.Ordinal) || meter.Name == "System.Runtime";
    }

    /// <summary>Collects the observable instruments and writes every series.</summary>
    public string Render()
    {
        lock (_gate)
        {
            foreach (var f in _families.Values)
            {
                f.BeginObservation();
            }

            _listener.RecordObservableInstruments();
            var sb = new StringBuilder(8192);
            var ordered = new List<Family>(_families.Values);
            ordered.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var f in ordered)
            {
                f.Write(sb);
            }

            return sb.ToString();
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        lock (_gate)
        {
            if (!_families.TryGetValue(instrument, out var family))
            {
                family = new Family(instrument);
                _families[instrument] = family;
            }

            family.Record(labels, value);
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }

        var pairs = new List<KeyValuePair<string, string>>(tags.Length);
        foreach (var t in tags)
        {
            pairs.Add(new(SanitizeName(t.Key), Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? string.Empty));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var sb = new StringBuilder("{");
        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(pairs[i].Key).Append("=\"");
            foreach (var c in pairs[i].Value)
            {
                _ = c switch
                {
                    '\\' => sb.Append("\\\\"),
                    '"' => sb.Append("\\\""),
                    '\n' => sb.Append("\\n"),
                    _ => sb.Append(c),
                };
            }

            sb.Append('"');
        }

        return sb.Append('}').ToString();
    }

    internal static string SanitizeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':' ? c : '_');
        }

        if (sb.Length == 0 || char.IsAsciiDigit(sb[0]))
        {
            sb.Insert(0, '_');
        }

        return sb.ToString();
    }

    /// <summary>Prometheus metric name for an instrument: sanitized, unit suffix, and <c>_total</c> for counters.</summary>
    internal static string MetricName(Instrument instrument)
    {
        var name = SanitizeName(instrument.Name);
        var unit = instrument.Unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            _ => string.Empty,
        };
        if (unit.Length > 0 && !name.EndsWith(unit, StringComparison.Ordinal))
        {
            name += unit;
        }

        if (Family.IsCounter(instrument) && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    public void Dispose() => _listener.Dispose();

    private sealed class Family
    {
        private readonly Instrument _instrument;
        private readonly bool _cumulativeObservations;
        private readonly SortedDictionary<string, double> _series = new(StringComparer.Ordinal);

        public Family(Instrument instrument)
        {
            _instrument = instrument;
            Name = MetricName(instrument);
            _cumulativeObservations = instrument.IsObservable;
        }

        public string Name { get; }

        public static bool Supports(Instrument i) => i is not Histogram<long> and not Histogram<int> and not Histogram<double> and not Histogram<float>
            && !i.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal);

        public static bool IsCounter(Instrument i)
        {
            var type = i.GetType().Name;
            return type.StartsWith("Counter", StringComparison.Ordinal) || type.StartsWith("ObservableCounter", StringComparison.Ordinal);
        }

        public void BeginObservation()
        {
            // Observable instruments report their whole current state on each collection; series they no longer
            // report (e.g. a GC generation that vanished) disappear rather than freeze at their last value.
            if (_cumulativeObservations)
            {
                _series.Clear();
            }
        }

        public void Record(string labels, double value)
        {
            var synchronousGauge = _instrument.GetType().Name.StartsWith("Gauge", StringComparison.Ordinal);
            if (_cumulativeObservations || synchronousGauge)
            {
                _series[labels] = value;
            }
            else
            {
                _series[labels] = _series.GetValueOrDefault(labels) + value;
            }
        }

        public void Write(StringBuilder sb)
        {
            if (_series.Count == 0)
            {
                return;
            }

            var help = string.IsNullOrEmpty(_instrument.Description) ? _instrument.Name : _instrument.Description;
            sb.Append("# HELP ").Append(Name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
            sb.Append("# TYPE ").Append(Name).Append(' ').Append(IsCounter(_instrument) ? "counter" : "gauge").Append('\n');
            foreach (var (labels, value) in _series)
            {
                sb.Append(Name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }
}
