using System.Text;
using System.Text.Json;
using Routing.Sip.Message;

namespace Routing.Cli.Sip;

/// <summary>
/// <c>routectl sip lint FILE [--transport udp|tcp] [--lf] [--json]</c> and <c>routectl sip parse FILE [--transport udp|tcp] [--lf] [--json]</c>:
/// run a message file through the node's own parser and validator, offline. Exit codes: 0 valid, 1 rejected (or
/// dropped), 2 usage error.
/// </summary>
public static class SipCommands
{
    public const int ExitValid = 0;
    public const int ExitRejected = 1;
    public const int ExitUsage = 2;

    private const string Usage =
        "usage: routectl sip lint FILE [--transport udp|tcp] [--lf] [--json]\n" +
        "       routectl sip parse FILE [--transport udp|tcp] [--lf] [--json]\n" +
        "  --transport  udp (default): one message per datagram, RFC 3261 §18.3; tcp: stream framing, Content-Length required\n" +
        "  --lf         treat bare LF line ends as CRLF (for hand-written files)\n" +
        "  --json       machine-readable output";

    /// <param name="args">Everything after <c>sip</c>.</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!TryParseArguments(args, stderr, out var command))
        {
            return ExitUsage;
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(command.File);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"sip {command.Verb}: cannot read FILE '{command.File}': {e.Message}");
            return ExitUsage;
        }

        if (command.BareLf)
        {
            bytes = NormalizeLineEnds(bytes);
        }

        var result = command.Stream ? SipParser.ParseStream(bytes) : SipParser.ParseDatagram(bytes);
        try
        {
            var verdict = Verdict.From(result, bytes.Length);
            if (command.Verb == "lint")
            {
                WriteLint(verdict, result, command.Json, stdout);
            }
            else
            {
                WriteParse(verdict, result, command.Json, stdout);
            }

            return verdict.Valid ? ExitValid : ExitRejected;
        }
        finally
        {
            result.Message?.Dispose();
        }
    }

    private static bool TryParseArguments(string[] args, TextWriter stderr, out Command command)
    {
        command = default;
        if (args.Length == 0 || args[0] is not ("lint" or "parse"))
        {
            stderr.WriteLine(args.Length == 0 ? "sip: missing command (lint or parse)" : $"sip: unknown command '{args[0]}' (accepted: lint, parse)");
            stderr.WriteLine(Usage);
            return false;
        }

        string? file = null;
        var stream = false;
        var json = false;
        var bareLf = false;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--lf":
                    bareLf = true;
                    break;
                case "--transport":
                    if (i + 1 >= args.Length || args[i + 1] is not ("udp" or "tcp"))
                    {
                        stderr.WriteLine("sip: --transport takes udp or tcp");
                        return false;
                    }

                    stream = args[++i] == "tcp";
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || file is not null)
                    {
                        stderr.WriteLine($"sip {args[0]}: unexpected argument '{args[i]}'");
                        stderr.WriteLine(Usage);
                        return false;
                    }

                    file = args[i];
                    break;
            }
        }

        if (file is null)
        {
            stderr.WriteLine($"sip {args[0]}: missing FILE");
            stderr.WriteLine(Usage);
            return false;
        }

        command = new Command(args[0], file, stream, json, bareLf);
        return true;
    }

    private static byte[] NormalizeLineEnds(byte[] bytes)
    {
        var output = new List<byte>(bytes.Length + 64);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n' && (i == 0 || bytes[i - 1] != (byte)'\r'))
            {
                output.Add((byte)'\r');
            }

            output.Add(bytes[i]);
        }

        return [.. output];
    }

    private static void WriteLint(Verdict v, SipParseResult result, bool json, TextWriter stdout)
    {
        if (json)
        {
            stdout.WriteLine(VerdictJson(v));
            return;
        }

        if (v.Valid)
        {
            var m = result.Message;
            stdout.WriteLine(m is null
                ? $"valid: {v.Reason}"
                : $"valid: {Describe(m)}, {m.HeaderCount} header lines, body {m.BodyRange.Length} bytes");
        }
        else if (v.Action == "reject")
        {
            stdout.WriteLine($"reject: {v.Status} {result.Rejection.Reason.ToReasonPhrase()} ({v.Reason}) at offset {v.Offset}");
        }
        else
        {
            stdout.WriteLine($"drop: {v.Reason} at offset {v.Offset?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
        }
    }

    private static string VerdictJson(Verdict v)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            WriteVerdictProperties(w, v);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteVerdictProperties(Utf8JsonWriter w, Verdict v)
    {
        w.WriteBoolean("valid", v.Valid);
        if (v.Status is int status)
        {
            w.WriteNumber("status", status);
        }
        else
        {
            w.WriteNull("status");
        }

        w.WriteString("action", v.Action);
        w.WriteString("reason", v.Reason);
        if (v.Offset is int offset)
        {
            w.WriteNumber("offset", offset);
        }
        else
        {
            w.WriteNull("offset");
        }
    }

    private static void WriteParse(Verdict v, SipParseResult result, bool json, TextWriter stdout)
    {
        var m = result.Message;
        if (!json)
        {
            WriteLint(v, result, false, stdout);
            if (m is not null)
            {
                stdout.WriteLine(m.GetString(m.StartLineRange).TrimEnd());
                foreach (var h in m.Headers)
                {
                    var id = h.Id == SipHeaderId.Unknown ? "-" : h.Id.ToString();
                    stdout.WriteLine($"  [{id}] {m.GetString(h.Name)}: {m.GetString(h.Value)}");
                }

                stdout.WriteLine($"  body: {m.BodyRange.Length} bytes");
            }

            return;
        }

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            WriteVerdictProperties(w, v);
            if (m is null)
            {
                w.WriteNull("message");
            }
            else
            {
                w.WriteStartObject("message");
                WriteMessage(w, m);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        stdout.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteMessage(Utf8JsonWriter w, SipMessage m)
    {
        w.WriteString("kind", m.IsRequest ? "request" : "response");
        if (m.IsRequest)
        {
            w.WriteString("method", m.GetString(m.MethodRange));
            w.WriteString("requestUri", m.GetString(m.RequestUriRange));
        }
        else
        {
            w.WriteNumber("status", m.StatusCode);
            w.WriteString("reasonPhrase", m.GetString(m.ReasonPhraseRange));
        }

        w.WriteString("version", m.GetString(m.VersionRange));
        w.WriteString("callId", m.GetString(m.CallIdRange));
        w.WriteStartObject("cseq");
        w.WriteNumber("number", m.CSeqNumber);
        w.WriteString("method", m.GetString(m.CSeqMethodRange));
        w.WriteEndObject();
        WriteOptionalNumber(w, "maxForwards", m.MaxForwards);
        WriteOptionalNumber(w, "contentLength", m.ContentLength);
        w.WriteString("fromTag", m.GetString(m.FromTagRange));
        w.WriteString("toTag", m.GetString(m.ToTagRange));
        w.WriteStartObject("topVia");
        w.WriteString("transport", m.GetString(m.TopViaTransportRange));
        w.WriteString("sentBy", m.GetString(m.TopViaSentByRange));
        w.WriteString("branch", m.GetString(m.TopViaBranchRange));
        w.WriteEndObject();
        w.WriteStartArray("headers");
        foreach (var h in m.Headers)
        {
            w.WriteStartObject();
            w.WriteString("name", m.GetString(h.Name));
            if (h.Id == SipHeaderId.Unknown)
            {
                w.WriteNull("id");
            }
            else
            {
                w.WriteString("id", h.Id.ToString());
            }

            w.WriteString("value", m.GetString(h.Value));
            w.WriteNumber("offset", h.Line.Start);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("bodyLength", m.BodyRange.Length);
        w.WriteString("body", m.GetString(m.BodyRange));
    }

    private static void WriteOptionalNumber(Utf8JsonWriter w, string name, int value)
    {
        if (value < 0)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteNumber(name, value);
        }
    }

    private static string Describe(SipMessage m) =>
        m.IsRequest ? $"{m.GetString(m.MethodRange)} request" : $"{m.StatusCode} response";

    private readonly record struct Command(string Verb, string File, bool Stream, bool Json, bool BareLf);

    private sealed record Verdict(bool Valid, int? Status, string Action, string Reason, int? Offset)
    {
        public static Verdict From(SipParseResult result, int length) => result.Status switch
        {
            SipParseStatus.Message => new Verdict(true, null, "accept", "ok", null),
            SipParseStatus.KeepAlive => new Verdict(true, null, "accept", "keep-alive", null),

            // End of file inside a message on a stream: the node would keep waiting, then time the connection out.
            SipParseStatus.NeedMoreData => new Verdict(false, null, "drop", SipRejectionReason.TruncatedMessage.ToSlug(), length),
            _ => new Verdict(
                false,
                result.Rejection.StatusCode,
                result.Rejection.Action == SipRejectionAction.Reject ? "reject" : "drop",
                result.Rejection.Reason.ToSlug(),
                result.Rejection.Offset),
        };
    }
}
