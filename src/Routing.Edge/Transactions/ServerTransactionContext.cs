using System.Buffers;
using System.Net;
using System.Text;
using Routing.Sip.Message;
using Routing.Sip.Transactions;
using Routing.Sip.Transport;

namespace Routing.Edge.Transactions;

/// <summary>
/// The edge's data for one server transaction (kept in <see cref="Transaction{TMessage}.Context"/>) and the TU's view
/// of it. The request lives until the final response has been applied.
/// </summary>
internal sealed class ServerTransactionContext : EdgeServerRequest, IDisposable
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_writer;
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_via;

    private readonly SipEdge _edge;
    private readonly SipInboundContext _source;
    // A TU thread may build a provisional response while the loop releases the request after a final one (e.g. the
    // 487 for a CANCEL): building and releasing exclude each other.
    private readonly Lock _requestGate = new();
    private CancellationTokenSource? _cancel;
    private EdgeMessage? _request;
    private byte[]? _annotatedVia;
    private string? _toTag;
    private int _final; // 0, or the status of the first final response
    private int _inFlight;

    public ServerTransactionContext(SipEdge edge, EdgeMessage request, in SipInboundContext source, in ServerRequestInfo info, IPEndPoint destination)
    {
        _edge = edge;
        _request = request;
        _source = source;
        Info = info;
        Destination = destination;
        Method = request.Parsed!.Method;
    }

    public Transaction<EdgeMessage>? Transaction { get; set; }

    public ServerRequestInfo Info { get; }

    /// <summary>When the transaction was created, on the table's clock.</summary>
    public TimeSpan CreatedAt { get; set; }

    /// <summary>Where responses go (RFC 3261 §18.2.2; ignored by connections, which answer on themselves).</summary>
    public IPEndPoint Destination { get; }

    public SipMethod Method { get; }

    public override SipMessage Message => _request?.Parsed ?? throw new InvalidOperationException("The request was released after its final response.");

    public override SipInboundContext Source => _source;

    public override string ToTag => _toTag ??= Message.ToTag.IsEmpty ? Encoding.ASCII.GetString(SipTag.NewTag()) : Encoding.ASCII.GetString(Message.ToTag);

    public override CancellationToken Cancelled => (_cancel ??= new CancellationTokenSource()).Token;

    public override bool Answered => Volatile.Read(ref _final) != 0;

    public override ServerRespondResult Respond(int status, string? reasonPhrase = null, string? extraHeaders = null,
        string? contentType = null, ReadOnlyMemory<byte> body = default)
    {
        var phrase = reasonPhrase is null ? default : Encoding.UTF8.GetBytes(reasonPhrase);
        var type = contentType is null ? default : Encoding.ASCII.GetBytes(contentType);
        if (extraHeaders is null)
        {
            return Respond(status, phrase, _edge.DefaultExtraHeaders, type, body.Span);
        }

        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(extraHeaders.Length));
        try
        {
            var n = Encoding.UTF8.GetBytes(extraHeaders, rented);
            return Respond(status, phrase, rented.AsSpan(0, n), type, body.Span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override ServerRespondResult Respond(int status, string? reasonPhrase, ReadOnlySpan<byte> extraHeaders) =>
        Respond(status, reasonPhrase is null ? default : Encoding.UTF8.GetBytes(reasonPhrase), extraHeaders, default, default);

    public override ServerRespondResult Forward(int status, ReadOnlyMemory<byte> response)
    {
        if (status is < 100 or > 699)
        {
            return ServerRespondResult.InvalidStatus;
        }

        if (!Claim(status) && !IsAdditional2xx(status))
        {
            return ServerRespondResult.AlreadyFinal;
        }

        _edge.SubmitResponse(this, status, response.ToArray());
        return ServerRespondResult.Accepted;
    }

    /// <summary>
    /// A further 2xx to an INVITE that was already answered 2xx: a forking proxy forwards every 2xx (RFC 3261 §16.7 step
    /// 5; each may be a dialog of its own, which the caller acknowledges and ends), and the INVITE server transaction,
    /// Accepted, sends each one the TU passes down (RFC 6026 §7.1, §8.5).
    /// </summary>
    private bool IsAdditional2xx(int status) =>
        Method == SipMethod.Invite && status is >= 200 and < 300 && Volatile.Read(ref _final) is >= 200 and < 300;

    public override ServerRespondResult GiveUp(string? extraHeaders = null)
    {
        if (Method == SipMethod.Invite)
        {
            return Respond(408, null, extraHeaders);
        }

        if (!Claim(200))
        {
            return ServerRespondResult.AlreadyFinal;
        }

        _edge.SubmitAbandon(this);
        return ServerRespondResult.Accepted;
    }

    /// <summary>Builds the response from the request on the calling thread and hands it to the transaction.</summary>
    public ServerRespondResult Respond(int status, ReadOnlySpan<byte> phrase, ReadOnlySpan<byte> extraHeaders,
        ReadOnlySpan<byte> contentType = default, ReadOnlySpan<byte> body = default)
    {
        if (status is < 100 or > 699)
        {
            return ServerRespondResult.InvalidStatus;
        }

        if (!Claim(status))
        {
            return ServerRespondResult.AlreadyFinal;
        }

        var bytes = Build(status, phrase, extraHeaders, contentType, body);
        if (bytes is null)
        {
            return ServerRespondResult.AlreadyFinal;
        }

        _edge.SubmitResponse(this, status, bytes);
        return ServerRespondResult.Accepted;
    }

    /// <summary>The 100 (Trying) of an INVITE (RFC 3261 §8.2.6.1: no To tag; Timestamp copied by the builder).</summary>
    public byte[]? BuildTrying() => Build(100, default, _edge.DefaultExtraHeaders, default, default);

    private bool Claim(int status)
    {
        if (status >= 200)
        {
            // The first final status is kept (Answered, and whether a further 2xx may follow it).
            if (Interlocked.CompareExchange(ref _final, status, 0) != 0)
            {
                return false;
            }

            LeaveInFlight();
            return true;
        }

        return Volatile.Read(ref _final) == 0;
    }

    private byte[]? Build(int status, ReadOnlySpan<byte> phrase, ReadOnlySpan<byte> extraHeaders, ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> body)
    {
        lock (_requestGate)
        {
            return BuildLocked(status, phrase, extraHeaders, contentType, body);
        }
    }

    private byte[]? BuildLocked(int status, ReadOnlySpan<byte> phrase, ReadOnlySpan<byte> extraHeaders, ReadOnlySpan<byte> contentType, ReadOnlySpan<byte> body)
    {
        if (_request?.Parsed is null)
        {
            // Released after a final response that won the race with this one.
            return null;
        }

        var output = t_writer ??= new ArrayBufferWriter<byte>(1024);
        output.ResetWrittenCount();
        var tag = status == 100 ? default : Encoding.ASCII.GetBytes(ToTag);
        SipResponseBuilder.Write(Message, status, phrase, tag, output, extraHeaders, contentType, body, AnnotatedVia());
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The request's first Via line with received (and rport's value) added when needed (RFC 3261 §18.2.1, RFC 3581
    /// §4), made once per transaction: every response writes it instead of the line as received. Empty: no change.
    /// </summary>
    private ReadOnlySpan<byte> AnnotatedVia()
    {
        if (_annotatedVia is not null)
        {
            return _annotatedVia;
        }

        var request = Message;
        if (!TopVia.TryRead(request, out var via) || !via.NeedsAnnotation(_source.Remote.Address))
        {
            _annotatedVia = [];
            return default;
        }

        var line = t_via ??= new ArrayBufferWriter<byte>(256);
        line.ResetWrittenCount();
        via.WriteAnnotatedLine(request, _source.Remote, line);
        _annotatedVia = line.WrittenSpan.ToArray();
        return _annotatedVia;
    }

    /// <summary>The CANCEL matched this pending INVITE (RFC 3261 §9.2).</summary>
    public void SignalCancelled() => (_cancel ??= new CancellationTokenSource()).Cancel();

    /// <summary>Returns the request (and its annotated copy) to the pool; the TU may no longer read <see cref="Message"/>.</summary>
    public void Release()
    {
        lock (_requestGate)
        {
            if (_request is null)
            {
                return;
            }

            // Kept: the To tag is still needed for matching an RFC 2543 ACK and for Forward().
            _ = ToTag;
            _annotatedVia = null;
            _request?.Release();
            _request = null;
        }
    }

    /// <summary>Last step when the transaction leaves the table.</summary>
    public void End() => Dispose();

    /// <summary>Counts this transaction as in flight (delivered to a TU, no final response yet) for a drain.</summary>
    public void EnterInFlight()
    {
        if (Interlocked.Exchange(ref _inFlight, 1) == 0)
        {
            _edge.InFlightChanged(+1);
        }
    }

    private void LeaveInFlight()
    {
        if (Interlocked.Exchange(ref _inFlight, 0) == 1)
        {
            _edge.InFlightChanged(-1);
        }
    }

    public void Dispose()
    {
        LeaveInFlight();
        Release();
        _cancel?.Dispose();
    }
}
