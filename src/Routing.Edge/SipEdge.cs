using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Edge;

/// <summary>What the edge did with one inbound message.</summary>
public enum EdgeOutcome
{
    /// <summary>Answered with a final response.</summary>
    Answered,
    /// <summary>Deliberately left without an answer (see <see cref="SipDropCause"/>).</summary>
    Dropped,
}

/// <summary>
/// The ingress pipeline as far as this issue goes: parse outcome in, final response out. It answers an out-of-dialog
/// OPTIONS addressed to the node (RFC 3261 §11) and gives every other request the final response the RFC asks of an
/// element that does not (yet) serve it:
/// <code>
///   parse rejected ─ answerable? ── yes → 400/413/416/420/505/513 (the rejection's status)     (§8.2, §21)
///                                └─ no  → drop
///   response ──────────────────────────→ drop (no client transactions yet)                      (§18.1.2)
///   ACK ───────────────────────────────→ absorb, never answered                                 (§17.2.3)
///   CANCEL ────────────────────────────→ 481, no transaction to cancel                          (§9.2)
///   To tag present ────────────────────→ 481, no such dialog                                    (§12.2.2)
///   OPTIONS for the node ── Require? ──→ 420 with Unsupported                                   (§8.2.2.3)
///                        └─────────────→ 200 with Allow, Accept, Accept-Encoding, Accept-Language, Supported (§11.2)
///   Max-Forwards 0, not for the node ──→ 483                                                    (§16.3 step 3)
///   Request-URI outside our domains ───→ 403, the node is no open relay
///   user in our domain ────────────────→ 404, no location service yet                           (§21.4.5)
///   known method, not served yet ──────→ 405 with Allow                                         (§8.2.1)
///   unknown method ────────────────────→ 501                                                    (§21.5.2)
/// </code>
/// </summary>
public sealed partial class SipEdge : ISipInboundHandler
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_response;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_patched;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_unsupported;

    private readonly EdgeOptions _options;
    private readonly EdgeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly byte[] _capabilityHeaders;
    private readonly byte[] _allowHeader;
    private readonly byte[] _serverHeader;
    private readonly HashSet<string> _supported;
    private readonly Registrar.RegisterEndpoint? _register;

    public SipEdge(EdgeOptions options, EdgeMetrics metrics, ILogger<SipEdge> logger, Registrar.RegisterEndpoint? register = null)
    {
        _register = register;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _serverHeader = Encoding.ASCII.GetBytes("Server: " + options.ServerName + "\r\n");
        var methods = new List<string>(options.AllowedMethods.Count);
        foreach (var m in options.AllowedMethods)
        {
            methods.Add(Encoding.ASCII.GetString(m.ToBytes()));
        }

        _allowHeader = Encoding.ASCII.GetBytes("Allow: " + string.Join(", ", methods) + "\r\n" + "Server: " + options.ServerName + "\r\n");
        _supported = new HashSet<string>(options.SupportedOptionTags, StringComparer.OrdinalIgnoreCase);
        var capabilities = new StringBuilder();
        capabilities.Append("Allow: ").Append(string.Join(", ", methods)).Append("\r\n");
        capabilities.Append("Accept: ").Append(string.Join(", ", options.AcceptedContentTypes)).Append("\r\n");
        // RFC 3261 §20.2/§20.3: identity encoding only, and the language the reason phrases are in.
        capabilities.Append("Accept-Encoding: identity\r\n");
        capabilities.Append("Accept-Language: en\r\n");
        capabilities.Append("Supported: ").Append(string.Join(", ", options.SupportedOptionTags)).Append("\r\n");
        capabilities.Append("Server: ").Append(options.ServerName).Append("\r\n");
        _capabilityHeaders = Encoding.ASCII.GetBytes(capabilities.ToString());
    }

    public void OnMessage(in SipParseResult parsed, in SipInboundContext context)
    {
        var message = parsed.Message;
        // REGISTER goes to the registrar (issue 5), which owns and disposes the message once it has answered.
        if (_register is not null && parsed.Status == SipParseStatus.Message && message is { IsRequest: true, Method: SipMethod.Register }
            && message.ToTag.IsEmpty)
        {
            _metrics.RequestReceived(SipMethod.Register);
            _ = _register.DispatchAsync(message, context);
            return;
        }

        try
        {
            Handle(parsed, context);
        }
        finally
        {
            message?.Dispose();
        }
    }

    /// <summary>Decides and sends; returns what happened (exposed for tests).</summary>
    public EdgeOutcome Handle(in SipParseResult parsed, in SipInboundContext context)
    {
        if (parsed.Status == SipParseStatus.Rejected)
        {
            return HandleRejection(parsed, context);
        }

        var request = parsed.Message;
        if (parsed.Status != SipParseStatus.Message || request is null)
        {
            return EdgeOutcome.Dropped;
        }

        if (request.IsResponse)
        {
            _metrics.Dropped(SipDropCause.StrayResponse);
            return EdgeOutcome.Dropped;
        }

        _metrics.RequestReceived(request.Method);
        switch (request.Method)
        {
            case SipMethod.Ack:
                _metrics.Dropped(SipDropCause.AckWithoutTransaction);
                return EdgeOutcome.Dropped;
            case SipMethod.Cancel:
                return Respond(request, context, 481, default);
        }

        if (!request.ToTag.IsEmpty)
        {
            return Respond(request, context, 481, default);
        }

        var target = RequestTargets.Classify(request.Memory.Slice(request.RequestUriRange.Start, request.RequestUriRange.Length), context.Local.Address, _options);
        if (request.Method == SipMethod.Options && target == RequestTarget.Node)
        {
            return AnswerOptions(request, context);
        }

        if (request.MaxForwards == 0 && target != RequestTarget.Node)
        {
            return Respond(request, context, 483, default);
        }

        return target switch
        {
            RequestTarget.Foreign => Respond(request, context, 403, "Relaying Forbidden"u8),
            RequestTarget.LocalUser when request.Method != SipMethod.Extension && IsAllowed(request.Method) => Respond(request, context, 404, default),
            _ when request.Method == SipMethod.Extension => Respond(request, context, 501, default),
            _ => Respond(request, context, 405, default, _allowHeader),
        };
    }

    private EdgeOutcome AnswerOptions(SipMessage request, in SipInboundContext context)
    {
        // RFC 3261 §8.2.2.3: an option tag in Require that the node does not support gets 420 listing it.
        var unsupported = t_unsupported ??= new ArrayBufferWriter<byte>(128);
        unsupported.ResetWrittenCount();
        unsupported.Write("Unsupported: "u8);
        if (SipMessageChecks.TryFindUnsupportedOptions(request, SipHeaderId.Require, _supported, unsupported))
        {
            unsupported.Write("\r\n"u8);
            unsupported.Write(_serverHeader);
            return Respond(request, context, 420, default, unsupported.WrittenSpan);
        }

        return Respond(request, context, 200, default, _capabilityHeaders);
    }

    private EdgeOutcome HandleRejection(in SipParseResult parsed, in SipInboundContext context)
    {
        var rejection = parsed.Rejection;
        _metrics.ParseRejected(rejection.Reason);
        LogRejected(_logger, rejection.Reason, rejection.Offset, context.Transport, context.Remote);
        var request = parsed.Message;
        if (rejection.Action != SipRejectionAction.Reject || request is null || !request.IsRequest || !request.HasUsableTopVia
            || request.Method == SipMethod.Ack)
        {
            _metrics.Dropped(SipDropCause.Unanswerable);
            return EdgeOutcome.Dropped;
        }

        var status = rejection.StatusCode!.Value;
        var phrase = Encoding.ASCII.GetBytes(rejection.Reason.ToReasonPhrase());
        return Respond(request, context, status, phrase);
    }

    private EdgeOutcome Respond(SipMessage request, in SipInboundContext context, int status, ReadOnlySpan<byte> phrase,
        ReadOnlySpan<byte> extraHeaders = default)
    {
        if (extraHeaders.IsEmpty)
        {
            extraHeaders = _serverHeader;
        }

        if (!TopVia.TryRead(request, out var via))
        {
            _metrics.Dropped(SipDropCause.Unanswerable);
            return EdgeOutcome.Dropped;
        }

        var destination = via.ResponseDestination(context.Remote);
        var output = t_response ??= new ArrayBufferWriter<byte>(1024);
        output.ResetWrittenCount();
        SipMessage? annotated = null;
        try
        {
            var source = request;
            if (via.NeedsAnnotation(context.Remote.Address))
            {
                var patched = t_patched ??= new ArrayBufferWriter<byte>(1024);
                patched.ResetWrittenCount();
                via.WriteAnnotated(request.Span, context.Remote, patched);
                var reparsed = SipParser.ParseDatagram(patched.WrittenSpan, _options.Parser);
                // The annotation only adds parameters to a Via the parser accepted; if the parse refuses it anyway the
                // response still goes out with the Via as received.
                annotated = reparsed.Message;
                if (annotated is not null && annotated.HasUsableTopVia)
                {
                    source = annotated;
                }
            }

            SipResponseBuilder.Write(source, status, phrase, default, output, extraHeaders);
        }
        finally
        {
            annotated?.Dispose();
        }

        if (!context.Sender.Send(output.WrittenSpan, destination))
        {
            _metrics.Dropped(SipDropCause.SendFailed);
            return EdgeOutcome.Dropped;
        }

        _metrics.ResponseSent(request.Method, status);
        return EdgeOutcome.Answered;
    }

    private bool IsAllowed(SipMethod method)
    {
        foreach (var m in _options.AllowedMethods)
        {
            if (m == method)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "SIP message rejected: {Reason} at byte {Offset} from {Transport} {Remote}")]
    private static partial void LogRejected(ILogger logger, SipRejectionReason reason, int offset, SipTransportKind transport, IPEndPoint remote);
}
