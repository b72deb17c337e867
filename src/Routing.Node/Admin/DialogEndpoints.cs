using System.Globalization;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Routing.Cluster.Cdr;
using Routing.Cluster.Dialogs;
using Routing.Node.Proxy;

namespace Routing.Node.Admin;

/// <summary>One party of a dialog as the admin API shows it.</summary>
public sealed record DialogPartyResponse(string Aor, string Contact, string Source, string Transport, string? FlowToken, string? Instance,
    string? UserAgent, string? TlsFingerprint);

/// <summary>One event of a dialog's history.</summary>
public sealed record DialogEventResponse(DateTimeOffset At, string Type, string Detail);

/// <summary>Answer of <c>GET /api/dialogs/{callId}</c>.</summary>
public sealed record DialogResponse(string CallId, string Phase, string? CalleeAor, DialogPartyResponse? Caller, DialogPartyResponse? Callee,
    IReadOnlyList<DialogEventResponse> History);

/// <summary>
/// Dialogs and call detail records on the admin API (bearer token as for every route):
/// <list type="bullet">
/// <item><c>GET /api/dialogs?limit=N</c>: calls not yet ended (from the CDR projection, newest first)</item>
/// <item><c>GET /api/dialogs/{callId}</c>: the dialog entity's state and event history</item>
/// <item><c>GET /api/cdr?user=AOR&amp;since=TIME&amp;limit=N</c>: call detail records, newest first</item>
/// </list>
/// </summary>
public static class DialogEndpoints
{
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/dialogs", async (int? limit, IServiceProvider sp, CancellationToken ct) =>
        {
            var store = sp.GetRequiredService<ICdrStore>();
            return Results.Ok(await store.QueryAsync(new CdrQuery(Limit: limit ?? 1000, ActiveOnly: true), ct));
        });

        app.MapGet("/api/dialogs/{callId}", async (string callId, IServiceProvider sp, CancellationToken ct) =>
        {
            var port = sp.GetRequiredService<ClusterDialogPort>();
            var settings = sp.GetRequiredService<ProxyComposition.Settings>();
            var region = await port.RegionAsync(ct);
            DialogView view;
            try
            {
                view = await region.Ask<DialogView>(new GetDialog(callId), settings.AskTimeout, ct);
            }
            catch (AskTimeoutException)
            {
                return Results.Json(new ErrorResponse("timeout", "the dialog entity did not answer"), statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            if (view.Phase == DialogPhase.None)
            {
                return Results.Json(new ErrorResponse("not-found", "no dialog with Call-ID " + callId), statusCode: StatusCodes.Status404NotFound);
            }

            return Results.Ok(Response(view));
        });

        app.MapGet("/api/cdr", async (string? user, string? since, int? limit, IServiceProvider sp, CancellationToken ct) =>
        {
            DateTimeOffset? from = null;
            if (since is not null)
            {
                if (!DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    return Results.Json(new ErrorResponse("bad-request", "since: not a time (ISO 8601)"), statusCode: StatusCodes.Status400BadRequest);
                }

                from = parsed;
            }

            var store = sp.GetRequiredService<ICdrStore>();
            return Results.Ok(await store.QueryAsync(new CdrQuery(user, from, limit ?? 1000), ct));
        });
    }

    internal static DialogResponse Response(DialogView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var history = new List<DialogEventResponse>(view.History.Count);
        foreach (var e in view.History)
        {
            history.Add(Describe(e));
        }

        return new DialogResponse(view.CallId, view.Phase.ToString(), view.CalleeAor, Party(view.Caller), Party(view.Callee), history);
    }

    internal static DialogEventResponse Describe(IDialogEvent e) => e switch
    {
        DialogStarted x => new(x.At, "started", $"{x.Caller.Aor} -> {x.CalleeAor} from {x.Caller.SourceAddress}/{x.Caller.Transport}"
                                                + (x.Caller.UserAgent is null ? string.Empty : $" ({x.Caller.UserAgent})")),
        BranchForked x => new(x.At, "branch-forked", $"#{x.Branch} {x.Contact}" + (x.Instance is null ? string.Empty : " " + x.Instance)),
        DialogRinging x => new(x.At, "ringing", $"#{x.Branch} {x.Status}"),
        DialogAnswered x => new(x.At, "answered", $"#{x.Branch} by {x.Callee.Instance ?? x.Callee.Contact} at {x.Callee.SourceAddress}"),
        TargetRefreshed x => new(x.At, "target-refreshed", $"{x.Side}: {x.Party.Contact} via {x.Party.FlowToken ?? x.Party.SourceAddress}"),
        SessionRefreshed x => new(x.At, "session-refreshed", $"{x.Side}" + (x.SessionExpires is { } se ? $" Session-Expires {se}" : string.Empty)),
        DialogTerminated x => new(x.At, "terminated", $"by {x.By}, {x.Reason}, {x.Status}"),
        DialogFailed x => new(x.At, "failed", $"{x.Status} by {x.By}"),
        ExtraDialogAnswered x => new(x.At, "extra-answered", $"#{x.Branch} by {x.Callee.Instance ?? x.Callee.Contact} at {x.Callee.SourceAddress}, to-tag {x.ToTag}"),
        ExtraDialogEnded x => new(x.At, "extra-ended", $"to-tag {x.ToTag} by {x.By}"),
        _ => new(e.At, e.GetType().Name, string.Empty),
    };

    private static DialogPartyResponse? Party(DialogParty? p) => p is null
        ? null
        : new(p.Aor, p.Contact, p.SourceAddress, p.Transport, p.FlowToken, p.Instance, p.UserAgent, p.TlsFingerprint);
}
