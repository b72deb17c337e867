using System.Net;
using System.Text;
using Routing.Sip.Auth;
using Routing.Sip.Headers;
using Routing.Sip.Message;
using Routing.Sip.Transport;
using Routing.Sip.Uri;

namespace Routing.Edge.Registrar;

/// <summary>Edge settings of the registrar (HOCON <c>routing.registrar</c>).</summary>
public sealed class RegisterHandlerOptions
{
    /// <summary>Challenge every REGISTER (digest) or accept any AOR in a served domain (none). Default: digest.</summary>
    public bool Digest { get; init; } = true;

    /// <summary>Unknown users are challenged like known ones (no 404). Default: on.</summary>
    public bool HideUnknownUsers { get; init; } = true;

    /// <summary>
    /// Domains whose AORs may register. Empty with digest: any domain, and the user entity decides (so by default the
    /// domains of provisioned users). With --auth none the node's own addresses are always served.
    /// </summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>Names of this node (a REGISTER to sip:&lt;node address&gt; is for us).</summary>
    public IReadOnlyList<string> LocalHosts { get; init; } = ["127.0.0.1", "::1", "localhost"];

    /// <summary>Failed digest attempts from one IP address (any AOR) before that address is locked out. Default: 20.</summary>
    public int SourceLockoutAttempts { get; init; } = 20;

    /// <summary>Lock-out length and counting window for a source address. Default: 300 s.</summary>
    public TimeSpan SourceLockoutWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Flow-Timer sent with an outbound registration (RFC 5626 §5.4), seconds. Default: 120.</summary>
    public int FlowTimerSeconds { get; init; } = 120;

    /// <summary>Retry-After on 500 when the registrar is unavailable (RFC 3261 §21.5.1), seconds. Default: 5.</summary>
    public int RetryAfterSeconds { get; init; } = 5;

    /// <summary>
    /// Challenges offered in a 401, most preferred first (RFC 8760 §2.4). Default: SHA-256, MD5. Some clients (SIPp 3.6)
    /// only read the first challenge and only know MD5: put MD5 first for them.
    /// </summary>
    public IReadOnlyList<DigestAlgorithm> ChallengeAlgorithms { get; init; } = [DigestAlgorithm.Sha256, DigestAlgorithm.Md5];

    /// <summary>
    /// REGISTERs waiting for the registrar at once; beyond it the edge answers 503 with Retry-After (RFC 3261 §21.5.4)
    /// instead of queueing, so that an overloaded journal sheds load rather than collapsing under retransmissions.
    /// Default: 8000, about a third of a second of a node's full REGISTER rate (24 000/s in the benchmark): a collector
    /// pause or a busy moment of 100-200 ms must not turn into 503s (2 000 did at 15 000/s, 5 000 at 21 000-24 000/s),
    /// while a backlog longer than T1 (500 ms), after which UAs retransmit, is still refused.
    /// </summary>
    public int MaxInFlight { get; init; } = 8000;

    /// <summary>Option tags we honour in Require (RFC 3261 §10.3 step 2). Default: path, outbound.</summary>
    public IReadOnlyList<string> SupportedOptionTags { get; init; } = ["path", "outbound"];
}

/// <summary>A response to write: status, reason phrase (empty: the default) and extra header lines (CRLF-terminated).</summary>
public sealed record SipReply(int Status, string Reason, string Headers);

/// <summary>
/// The REGISTER handler at the edge, a transaction-user function: request in, response out, async. It does RFC 3261
/// §10.3 steps 1, 2 and 5 itself (Request-URI domain, Require, AOR domain), challenges without a cluster round trip
/// when it can do so without revealing whether a user exists, extracts a <see cref="RegisterCommand"/>, asks
/// <see cref="IRegistrar"/> and turns the decision into a response: 200 with every binding and its remaining expiry,
/// Path echoed (RFC 3327 §5.3), Service-Route (RFC 3608 §6), Require: outbound + Flow-Timer (RFC 5626 §6); 401 with
/// SHA-256 and MD5 challenges (RFC 8760 §2.4: preferred first); 403; 404; 423 + Min-Expires; 400; 500 + Retry-After.
/// </summary>
public sealed class RegisterHandler
{
    private readonly RegisterHandlerOptions _options;
    private readonly IRegistrar _registrar;
    private readonly DigestNonceService? _nonces;
    private readonly TimeProvider _time;
    private readonly SourceLockout _lockout;
    private readonly RegistrarEdgeMetrics _metrics;
    private readonly HashSet<string> _supported;
    private int _inFlight;

    public RegisterHandler(RegisterHandlerOptions options, IRegistrar registrar, DigestNonceService? nonces, TimeProvider time,
        RegistrarEdgeMetrics metrics)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _registrar = registrar ?? throw new ArgumentNullException(nameof(registrar));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        if (options.Digest && nonces is null)
        {
            throw new ArgumentNullException(nameof(nonces), "digest authentication needs a nonce service");
        }

        _nonces = nonces;
        _lockout = new SourceLockout(options.SourceLockoutAttempts, options.SourceLockoutWindow, time);
        _supported = new HashSet<string>(options.SupportedOptionTags, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>REGISTERs currently waiting for the registrar.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>
    /// Handles one REGISTER. <paramref name="remote"/> is the packet's source; <paramref name="local"/> where it arrived;
    /// <paramref name="flowToken"/> the token of the flow it arrived on (null: no flow tokens, e.g. in unit tests of other
    /// rules).
    /// </summary>
    public async Task<SipReply> HandleAsync(SipMessage request, IPEndPoint remote, IPEndPoint local, SipTransportKind transport,
        CancellationToken cancellationToken, string? flowToken = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(local);
        var extracted = Extract(request, remote, local, transport, flowToken, out var command, out var realm);
        if (extracted is not null)
        {
            _metrics.Answered(extracted.Status);
            return extracted;
        }

        // Retransmissions never get here: the server transaction absorbs them while this one is decided (RFC 3261
        // §17.2.2), so every call is a distinct request and only their number is bounded.
        if (Interlocked.Increment(ref _inFlight) > _options.MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            _metrics.Answered(503);
            _metrics.Unavailable();
            return new SipReply(503, "Overloaded", "Retry-After: " + _options.RetryAfterSeconds + "\r\n");
        }

        RegisterResult result;
        try
        {
            result = await _registrar.RegisterAsync(command!, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result = RegisterResult.Of(RegisterStatus.Unavailable);
        }
        catch (TimeoutException)
        {
            result = RegisterResult.Of(RegisterStatus.Unavailable);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }

        var reply = Respond(request, command!, result, realm!, remote, local, transport);
        _metrics.Answered(reply.Status);
        return reply;
    }

    /// <summary>Validates and extracts; returns a reply when the edge can answer on its own, else null and the command.</summary>
    private SipReply? Extract(SipMessage request, IPEndPoint remote, IPEndPoint local, SipTransportKind transport, string? flowToken,
        out RegisterCommand? command, out string? realm)
    {
        command = null;
        realm = null;
        if (!request.TryGetRequestUri(out var requestUri) || !requestUri.IsSip)
        {
            return new SipReply(416, string.Empty, string.Empty);
        }

        // RFC 3261 §10.3 step 1: only REGISTERs for a domain we are the registrar of.
        var ruriHost = HostText(requestUri);
        if (!IsServedHost(ruriHost))
        {
            return new SipReply(403, "Domain Not Served", string.Empty);
        }

        // Step 2: Require we do not understand → 420 (RFC 3261 §8.2.2.3).
        var unsupported = Unsupported(request);
        if (unsupported is not null)
        {
            return new SipReply(420, string.Empty, "Unsupported: " + unsupported + "\r\n");
        }

        if (!request.TryGetTo(out var to) || !to.Address.Uri.IsSip)
        {
            return new SipReply(404, "Address Not Valid For Domain", string.Empty);
        }

        var aorUri = to.Address.Uri;
        var aor = aorUri.ToAddressOfRecord();
        realm = HostText(aorUri);
        // Step 5: the AOR must be one of our domains.
        if (!IsServedHost(realm))
        {
            return new SipReply(404, "Address Not Valid For Domain", string.Empty);
        }

        if (_options.Digest && _lockout.IsLocked(remote.Address))
        {
            _metrics.LockedOutRequest();
            return new SipReply(403, "Locked Out", string.Empty);
        }

        var contacts = new List<RegisterContact>();
        var star = false;
        foreach (var range in request.EnumerateValues(SipHeaderId.Contact))
        {
            var value = request.GetMemory(range);
            if (value.Span.Trim(" \t"u8).SequenceEqual("*"u8))
            {
                star = true;
                continue;
            }

            if (!ContactValue.TryParse(value, out var contact, out _))
            {
                return new SipReply(400, "Bad Contact", string.Empty);
            }

            uint? expires = contact.TryGetExpires(out var e) ? e : null;
            if (contact.HasExpires && expires is null)
            {
                return new SipReply(400, "Bad Contact Expires", string.Empty);
            }

            var instance = contact.HasInstance ? Encoding.UTF8.GetString(contact.Instance) : null;
            contacts.Add(new RegisterContact(contact.Uri.ToString(), Encoding.UTF8.GetString(contact.ParametersText), expires, contact.QValue,
                instance, contact.RegId));
        }

        uint? headerExpires = null;
        if (request.Contains(SipHeaderId.Expires))
        {
            if (!request.TryGetFirstValue<DeltaSecondsHeader>(SipHeaderId.Expires, out var eh))
            {
                return new SipReply(400, "Bad Expires", string.Empty);
            }

            headerExpires = eh.Seconds;
        }

        var outbound = HasOptionTag(request, SipHeaderId.Supported, "outbound"u8);
        var outboundUsed = false;
        foreach (var c in contacts)
        {
            outboundUsed |= outbound && c.Instance is not null && c.RegId is not null;
        }

        var path = new List<string>();
        if (flowToken is not null && outboundUsed)
        {
            // RFC 5626 §5.1, RFC 3327 §4.2: with outbound our edge is the first hop towards the device, so its Path entry
            // comes first, names this edge and the flow (the token as the user part) and carries "ob"; the proxy then
            // sends to the device on that flow. Without outbound the Contact is where requests go (RFC 3261 §16.5), so no
            // flow is pinned: a UA may register a contact other than its own socket (third-party registration).
            path.Add(EdgePath(flowToken, local, transport));
        }

        foreach (var range in request.EnumerateValues(SipHeaderId.Path))
        {
            path.Add(Encoding.UTF8.GetString(request.Slice(range)).Trim());
        }

        string? authorization = null;
        if (request.TryGetValue(SipHeaderId.Authorization, out var auth))
        {
            authorization = Encoding.UTF8.GetString(auth).Trim();
        }

        // Hidden users: a REGISTER without credentials gets the same 401 whether or not the user exists, so no round trip.
        if (_options.Digest && _options.HideUnknownUsers && authorization is null)
        {
            return Challenge(realm, stale: false);
        }

        string? userAgent = null;
        if (request.TryGetValue(SipHeaderId.UserAgent, out var ua))
        {
            userAgent = Encoding.UTF8.GetString(ua).Trim();
        }

        command = new RegisterCommand(aor, requestUri.ToString(), star, contacts, headerExpires, Encoding.UTF8.GetString(request.CallId),
            request.CSeqNumber, path, remote.ToString(), TransportName(transport), userAgent, authorization, outbound);
        return null;
    }

    /// <summary>
    /// This edge's Path entry for an outbound REGISTER that arrived on a flow:
    /// <c>&lt;sip:TOKEN@host:port;transport=T;lr;ob&gt;</c> (RFC 5626 §5.1: "ob" tells the registrar the edge keeps the flow).
    /// </summary>
    internal static string EdgePath(string flowToken, IPEndPoint local, SipTransportKind transport)
    {
        ArgumentNullException.ThrowIfNull(flowToken);
        ArgumentNullException.ThrowIfNull(local);
        var entry = new StringBuilder(flowToken.Length + 64).Append("<sip:").Append(flowToken).Append('@').Append(FormatHost(local.Address))
            .Append(':').Append(local.Port);
        if (transport != SipTransportKind.Udp)
        {
            entry.Append(";transport=").Append(TransportName(transport));
        }

        return entry.Append(";lr;ob>").ToString();
    }

    private static string TransportName(SipTransportKind transport) => transport switch
    {
        SipTransportKind.Tcp => "tcp",
        SipTransportKind.Tls => "tls",
        _ => "udp",
    };

    private SipReply Respond(SipMessage request, RegisterCommand command, RegisterResult result, string realm, IPEndPoint remote, IPEndPoint local,
        SipTransportKind transport)
    {
        switch (result.Status)
        {
            case RegisterStatus.Ok:
                return Ok(request, command, result, local, transport);
            case RegisterStatus.Challenge:
                return Challenge(realm, stale: false);
            case RegisterStatus.StaleNonce:
                return Challenge(realm, stale: true);
            case RegisterStatus.Forbidden:
                _metrics.AuthenticationFailed();
                if (_lockout.Fail(remote.Address))
                {
                    _metrics.SourceLockedOut();
                }

                return new SipReply(403, string.Empty, string.Empty);
            case RegisterStatus.LockedOut:
                _metrics.LockedOutRequest();
                return new SipReply(403, "Locked Out", string.Empty);
            case RegisterStatus.TooManyBindings:
                return new SipReply(403, "Too Many Bindings", string.Empty);
            case RegisterStatus.NotFound:
                return new SipReply(404, string.Empty, string.Empty);
            case RegisterStatus.IntervalTooBrief:
                // RFC 3261 §10.3 step 7 / §20.23.
                return new SipReply(423, string.Empty, "Min-Expires: " + result.MinExpires + "\r\n");
            case RegisterStatus.InvalidStar:
                return new SipReply(400, "Invalid Wildcard Contact", string.Empty);
            case RegisterStatus.OutOfOrder:
                return new SipReply(400, "Out Of Order CSeq", string.Empty);
            case RegisterStatus.InvalidOutbound:
                return new SipReply(400, "Invalid Outbound Registration", string.Empty);
            default:
                _metrics.Unavailable();
                return new SipReply(500, "Registrar Unavailable", "Retry-After: " + _options.RetryAfterSeconds + "\r\n");
        }
    }

    [ThreadStatic]
    private static StringBuilder? t_headers;

    /// <summary>This thread's header builder, emptied (replies are built often; their text is copied out by ToString).</summary>
    private static StringBuilder Headers() => (t_headers ??= new StringBuilder(1024)).Clear();

    private SipReply Ok(SipMessage request, RegisterCommand command, RegisterResult result, IPEndPoint local, SipTransportKind transport)
    {
        var headers = Headers();
        foreach (var c in result.Contacts)
        {
            // RFC 3261 §10.3 step 8: every current binding, with its remaining expiry as the expires parameter.
            headers.Append("Contact: <").Append(c.Uri).Append('>').Append(WithoutExpires(c.Parameters))
                .Append(";expires=").Append(c.RemainingSeconds).Append("\r\n");
        }

        // RFC 3327 §5.3: a registrar that stores Path echoes it in the 200 when the UA supports path.
        if (command.Path.Count > 0 && HasOptionTag(request, SipHeaderId.Supported, "path"u8))
        {
            foreach (var p in command.Path)
            {
                headers.Append("Path: ").Append(p).Append("\r\n");
            }
        }

        // RFC 3608 §6: the route a UA must preload for requests it originates through this registrar's network.
        headers.Append("Service-Route: <sip:").Append(FormatHost(local.Address)).Append(':').Append(local.Port)
            .Append(transport == SipTransportKind.Udp ? string.Empty : ";transport=" + TransportName(transport)).Append(";lr>\r\n");
        if (result.OutboundUsed)
        {
            // RFC 5626 §6: Require: outbound tells the UA the registrar applied outbound; Flow-Timer its keep-alive period.
            headers.Append("Require: outbound\r\n");
            headers.Append("Flow-Timer: ").Append(_options.FlowTimerSeconds).Append("\r\n");
        }

        headers.Append("Supported: path, outbound\r\n");
        headers.Append("Date: ").Append(_time.GetUtcNow().ToString("r", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
        return new SipReply(200, string.Empty, headers.ToString());
    }

    private SipReply Challenge(string realm, bool stale)
    {
        var now = _time.GetUtcNow();
        var nonce = _nonces!.Issue(now, realm);
        var headers = Headers();
        foreach (var algorithm in _options.ChallengeAlgorithms)
        {
            headers.Append("WWW-Authenticate: ").Append(DigestChallenge.Create(realm, nonce, algorithm, stale: stale).ToHeaderValue()).Append("\r\n");
        }

        return new SipReply(401, string.Empty, headers.ToString());
    }

    private bool IsServedHost(string host)
    {
        foreach (var h in _options.LocalHosts)
        {
            if (string.Equals(h, host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        foreach (var d in _options.Domains)
        {
            if (string.Equals(d, host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        // With digest and no configured domain the provisioned users define the domains: the entity decides.
        return _options.Digest && _options.Domains.Count == 0;
    }

    private string? Unsupported(SipMessage request)
    {
        if (!request.Contains(SipHeaderId.Require))
        {
            return null;
        }

        List<string>? missing = null;
        foreach (var range in request.EnumerateValues(SipHeaderId.Require))
        {
            var tag = Encoding.ASCII.GetString(request.Slice(range)).Trim();
            if (tag.Length > 0 && !_supported.Contains(tag))
            {
                (missing ??= []).Add(tag);
            }
        }

        return missing is null ? null : string.Join(", ", missing);
    }

    internal static bool HasOptionTag(SipMessage request, SipHeaderId id, ReadOnlySpan<byte> tag)
    {
        foreach (var range in request.EnumerateValues(id))
        {
            if (Ascii.EqualsIgnoreCase(request.Slice(range).Trim(" \t"u8), tag))
            {
                return true;
            }
        }

        return false;
    }

    private static string HostText(SipUri uri)
    {
        var host = Encoding.ASCII.GetString(uri.Host).ToLowerInvariant();
        return host.Length > 1 && host[0] == '[' ? host[1..^1] : host;
    }

    private static string FormatHost(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();

    /// <summary>The contact-params without expires (the 200 writes the remaining time instead).</summary>
    internal static string WithoutExpires(string parameters)
    {
        if (parameters.Length == 0 || parameters.IndexOf("expires", StringComparison.OrdinalIgnoreCase) < 0)
        {
            return parameters;
        }

        var sb = new StringBuilder(parameters.Length);
        var span = Encoding.UTF8.GetBytes(parameters);
        foreach (var p in new Routing.Sip.Syntax.SipParameterEnumerator(span, Routing.Sip.Syntax.SipParameterSyntax.Header))
        {
            if (Ascii.EqualsIgnoreCase(p.Name, "expires"u8))
            {
                continue;
            }

            var end = p.HasValue ? p.ValueOffset + p.Value.Length + (p.IsQuoted ? 1 : 0) : p.NameOffset + p.Name.Length;
            sb.Append(';').Append(Encoding.UTF8.GetString(span.AsSpan(p.NameOffset, end - p.NameOffset)));
        }

        return sb.ToString();
    }
}
