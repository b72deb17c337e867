using System.Buffers;
using System.Text;
using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Edge.Registrar;

/// <summary>
/// Runs <see cref="RegisterHandler"/> for the stateless edge: takes ownership of the request, awaits the decision off
/// the receive loop and sends the response on the transport it came in on, routed by the top Via (RFC 3261 §18.2.2,
/// RFC 3581 received/rport). The transaction layer (issue 4) can call <see cref="RegisterHandler.HandleAsync"/> directly.
/// </summary>
public sealed class RegisterEndpoint
{
    private readonly RegisterHandler _handler;
    private readonly EdgeMetrics _metrics;
    private readonly EdgeOptions _options;

    public RegisterEndpoint(RegisterHandler handler, EdgeMetrics metrics, EdgeOptions options)
    {
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>Starts handling; the returned task completes once the response is sent. Disposes <paramref name="request"/>.</summary>
    public Task DispatchAsync(SipMessage request, SipInboundContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(request, context);
    }

    private async Task RunAsync(SipMessage request, SipInboundContext context)
    {
        try
        {
            var reply = await _handler.HandleAsync(request, context.Remote, context.Local, context.Transport, CancellationToken.None)
                .ConfigureAwait(false);
            Send(request, context, reply);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never let a fault escape a fire-and-forget task: the UA gets 500 and retries (RFC 3261 §21.5.1).
            Send(request, context, new SipReply(500, string.Empty, "Retry-After: 5\r\n"));
        }
        finally
        {
            request.Dispose();
        }
    }

    internal void Send(SipMessage request, in SipInboundContext context, SipReply reply)
    {
        if (!TopVia.TryRead(request, out var via))
        {
            _metrics.Dropped(SipDropCause.Unanswerable);
            return;
        }

        var destination = via.ResponseDestination(context.Remote);
        var output = new ArrayBufferWriter<byte>(1024);
        var extra = Encoding.UTF8.GetBytes(reply.Headers + "Server: " + _options.ServerName + "\r\n");
        var phrase = reply.Reason.Length == 0 ? default : Encoding.ASCII.GetBytes(reply.Reason);
        if (via.NeedsAnnotation(context.Remote.Address))
        {
            var patched = new ArrayBufferWriter<byte>(request.Length + 64);
            via.WriteAnnotated(request.Span, context.Remote, patched);
            var reparsed = SipParser.ParseDatagram(patched.WrittenSpan, _options.Parser);
            using var annotated = reparsed.Message;
            SipResponseBuilder.Write(annotated is not null && annotated.HasUsableTopVia ? annotated : request, reply.Status, phrase, default,
                output, extra);
        }
        else
        {
            SipResponseBuilder.Write(request, reply.Status, phrase, default, output, extra);
        }

        if (!context.Sender.Send(output.WrittenSpan, destination))
        {
            _metrics.Dropped(SipDropCause.SendFailed);
            return;
        }

        _metrics.ResponseSent(SipMethod.Register, reply.Status);
    }
}
