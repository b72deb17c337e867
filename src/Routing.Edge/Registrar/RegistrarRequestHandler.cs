using Routing.Edge.Transactions;
using Routing.Sip.Message;
using Routing.Sip.Transport;

namespace Routing.Edge.Registrar;

/// <summary>
/// Plugs <see cref="RegisterHandler"/> into the edge's transaction layer (issue 4): it takes every out-of-dialog
/// REGISTER, decides off the transaction loop and answers through the server transaction, which absorbs and answers
/// retransmissions itself (RFC 3261 §17.2.2).
/// </summary>
public sealed class RegistrarRequestHandler : IEdgeRequestHandler
{
    private readonly RegisterHandler _handler;
    private readonly Func<SipFlowAddress, string>? _flowToken;
    private readonly byte[] _serverHeader;

    /// <param name="flowToken">The token of the flow a REGISTER arrived on (<see cref="ISipClient.TokenFor"/>), for this
    /// edge's Path entry (RFC 5626 §5.1); null on an edge without flow tokens.</param>
    public RegistrarRequestHandler(RegisterHandler handler, EdgeOptions options, Func<SipFlowAddress, string>? flowToken = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _flowToken = flowToken;
        _serverHeader = System.Text.Encoding.ASCII.GetBytes("Server: " + options.ServerName + "\r\n");
    }

    public bool TryHandle(EdgeServerRequest request, RequestTarget target)
    {
        ArgumentNullException.ThrowIfNull(request);
        var message = request.Message;
        if (message.Method != SipMethod.Register || !message.ToTag.IsEmpty)
        {
            return false;
        }

        _ = AnswerAsync(request);
        return true;
    }

    private async Task AnswerAsync(EdgeServerRequest request)
    {
        SipReply reply;
        try
        {
            var source = request.Source;
            // The flow token (an HMAC) is only needed for this edge's Path entry of an outbound registration.
            var token = _flowToken is not null && RegisterHandler.HasOptionTag(request.Message, SipHeaderId.Supported, "outbound"u8)
                ? _flowToken(source.Flow)
                : null;
            reply = await _handler.HandleAsync(request.Message, source.Remote, source.Local, source.Transport, CancellationToken.None, token)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never let a fault escape a fire-and-forget task: the UA gets 500 and retries later (RFC 3261 §21.5.1).
            reply = new SipReply(500, string.Empty, "Retry-After: 5\r\n");
        }

        var headers = reply.Headers;
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(System.Text.Encoding.UTF8.GetMaxByteCount(headers.Length) + _serverHeader.Length);
        try
        {
            var n = System.Text.Encoding.UTF8.GetBytes(headers, rented);
            _serverHeader.CopyTo(rented.AsSpan(n));
            request.Respond(reply.Status, reply.Reason.Length == 0 ? null : reply.Reason, rented.AsSpan(0, n + _serverHeader.Length));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
