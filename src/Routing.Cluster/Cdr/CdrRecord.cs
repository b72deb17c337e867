using Routing.Cluster.Dialogs;

namespace Routing.Cluster.Cdr;

/// <summary>One call detail record: a row of the <c>cdr</c> table, folded from a dialog's events.</summary>
public sealed record CdrRecord
{
    public required string CallId { get; init; }

    public string? CallerAor { get; init; }

    public string? CalleeAor { get; init; }

    /// <summary>The caller's source IP (RFC 3261 §18.2.1 received).</summary>
    public string? SourceIp { get; init; }

    public int? SourcePort { get; init; }

    public string? Transport { get; init; }

    public string? UserAgent { get; init; }

    /// <summary>The caller's +sip.instance.</summary>
    public string? DeviceInstance { get; init; }

    public string? TlsFingerprint { get; init; }

    public int BranchesTried { get; init; }

    /// <summary>+sip.instance (or contact when the device has none) of the device that answered.</summary>
    public string? AnsweringDevice { get; init; }

    public DateTimeOffset? SetupTime { get; init; }

    public DateTimeOffset? RingTime { get; init; }

    public DateTimeOffset? AnswerTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Answer to end; null for calls never answered or still up.</summary>
    public long? DurationMs { get; init; }

    /// <summary>The status the caller got for the INVITE (200, 486, 487, 404, ...); null while ringing.</summary>
    public int? FinalStatus { get; init; }

    /// <summary>caller, callee or proxy; null while the call is up.</summary>
    public string? HungUpBy { get; init; }

    /// <summary>bye, session-expired, max-lifetime, failed; null while the call is up.</summary>
    public string? EndReason { get; init; }

    /// <summary>Applies one dialog event (the projection's fold; events of one dialog arrive in order).</summary>
    public static CdrRecord Apply(CdrRecord? row, string callId, IDialogEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var r = row ?? new CdrRecord { CallId = callId };
        return e switch
        {
            DialogStarted x => StartedFrom(r, x),
            BranchForked => r with { BranchesTried = r.BranchesTried + 1 },
            DialogRinging x => r with { RingTime = r.RingTime ?? x.At },
            DialogAnswered x => r with
            {
                AnswerTime = x.At,
                FinalStatus = 200,
                AnsweringDevice = x.Callee.Instance ?? x.Callee.Contact,
            },
            DialogTerminated x => r with
            {
                EndTime = x.At,
                DurationMs = r.AnswerTime is { } a ? (long)(x.At - a).TotalMilliseconds : null,
                HungUpBy = Side(x.By),
                EndReason = x.Reason switch
                {
                    TerminationReason.Bye => "bye",
                    TerminationReason.SessionExpired => "session-expired",
                    _ => "max-lifetime",
                },
            },
            DialogFailed x => r with
            {
                EndTime = x.At,
                FinalStatus = x.Status,
                HungUpBy = Side(x.By),
                EndReason = "failed",
            },
            _ => r,
        };
    }

    private static CdrRecord StartedFrom(CdrRecord r, DialogStarted x)
    {
        var (ip, port) = SplitAddress(x.Caller.SourceAddress);
        return r with
        {
            CallerAor = x.Caller.Aor,
            CalleeAor = x.CalleeAor,
            SourceIp = ip,
            SourcePort = port,
            Transport = x.Caller.Transport,
            UserAgent = x.Caller.UserAgent,
            DeviceInstance = x.Caller.Instance,
            TlsFingerprint = x.Caller.TlsFingerprint,
            SetupTime = x.At,
            BranchesTried = 0,
            RingTime = null,
            AnswerTime = null,
            EndTime = null,
            DurationMs = null,
            FinalStatus = null,
            HungUpBy = null,
            EndReason = null,
            AnsweringDevice = null,
        };
    }

    private static string Side(DialogSide side) => side switch
    {
        DialogSide.Caller => "caller",
        DialogSide.Callee => "callee",
        _ => "proxy",
    };

    /// <summary>Splits "ip:port" / "[v6]:port".</summary>
    public static (string? Ip, int? Port) SplitAddress(string? address)
    {
        if (string.IsNullOrEmpty(address))
        {
            return (null, null);
        }

        var colon = address.LastIndexOf(':');
        var close = address.LastIndexOf(']');
        if (colon <= 0 || colon < close)
        {
            return (address.Trim('[', ']'), null);
        }

        var host = address[..colon].Trim('[', ']');
        return int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? (host, port)
            : (address, null);
    }
}
