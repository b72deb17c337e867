using System.Text;
using Routing.Sip.Headers;
using Routing.Sip.Message;
using Routing.Sip.Uri;

namespace Routing.Edge.Proxy;

/// <summary>Where a request goes after Route processing.</summary>
public enum NextHopKind : byte
{
    /// <summary>No Route left: the Request-URI decides (a served user is looked up, anything else is resolved).</summary>
    RequestUri,

    /// <summary>A Route remains: forward to its first value (RFC 3261 §16.6 step 7).</summary>
    Route,
}

/// <summary>Why Route processing refused a request.</summary>
public enum RoutePlanError : byte
{
    None,

    /// <summary>A Route value is not a parsable URI (400).</summary>
    MalformedRoute,
}

/// <summary>
/// The outcome of RFC 3261 §16.4 (Route information preprocessing) and §16.6 step 6-7 (strict next hop) as data:
/// the Route set and Request-URI to forward with, and the dialog key found in our own Route entries.
/// </summary>
public sealed record RoutePlan(
    RoutePlanError Error,
    IReadOnlyList<string> Routes,
    string? RequestUri,
    bool RouteSetChanged,
    string? DialogKey,
    NextHopKind NextHop,
    int OwnEntriesRemoved)
{
    /// <summary>
    /// Builds the plan for <paramref name="request"/>:
    /// <list type="number">
    /// <item>§16.4: if the Request-URI is a URI this proxy put in a Record-Route (a strict router upstream moved it
    /// there), the last Route value becomes the Request-URI and leaves the Route set;</item>
    /// <item>§16.4: a first Route naming this proxy is removed; so is every following one (double record-routing,
    /// or stale entries of ours left by a spiral);</item>
    /// <item>§16.6 step 6: if the next Route has no <c>lr</c>, the next hop is a strict router: it becomes the
    /// Request-URI and the old Request-URI goes to the end of the Route set.</item>
    /// </list>
    /// </summary>
    public static RoutePlan For(SipMessage request, ProxySettings settings)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        var routes = new List<string>(request.CountOf(SipHeaderId.Route));
        foreach (var range in request.EnumerateValues(SipHeaderId.Route))
        {
            if (!RouteAddress.TryParse(request.GetMemory(range), out _, out _))
            {
                return new RoutePlan(RoutePlanError.MalformedRoute, [], null, false, null, NextHopKind.RequestUri, 0);
            }

            routes.Add(request.GetString(range).Trim());
        }

        string? requestUri = null;
        string? dialogKey = null;
        var changed = false;
        var removed = 0;
        if (request.TryGetRequestUri(out var ruri) && RecordRoute.IsOwn(ruri, settings) && ruri.IsLooseRouting && routes.Count > 0)
        {
            // Strict-router compatibility (§16.4): we are addressed in the Request-URI by our own Record-Route value.
            dialogKey = RecordRoute.DialogKeyOf(ruri);
            requestUri = UriOf(routes[^1]);
            routes.RemoveAt(routes.Count - 1);
            changed = true;
        }

        while (routes.Count > 0 && RouteAddress.TryParse(Encoding.UTF8.GetBytes(routes[0]), out var first, out _)
               && RecordRoute.IsOwn(first.Uri, settings))
        {
            dialogKey ??= RecordRoute.DialogKeyOf(first.Uri);
            routes.RemoveAt(0);
            removed++;
            changed = true;
        }

        if (routes.Count == 0)
        {
            return new RoutePlan(RoutePlanError.None, routes, requestUri, changed, dialogKey, NextHopKind.RequestUri, removed);
        }

        if (RouteAddress.TryParse(Encoding.UTF8.GetBytes(routes[0]), out var next, out _) && !next.IsLooseRouting)
        {
            // §16.6 step 6: the next hop is a strict router; it wants its URI in the Request-URI.
            var current = requestUri ?? request.GetString(request.RequestUriRange);
            requestUri = UriOf(routes[0]);
            routes.RemoveAt(0);
            routes.Add("<" + current + ">");
            changed = true;
        }

        return new RoutePlan(RoutePlanError.None, routes, requestUri, changed, dialogKey, NextHopKind.Route, removed);
    }

    /// <summary>The URI of a route value (angle brackets and parameters after them dropped).</summary>
    public static string UriOf(string routeValue)
    {
        ArgumentNullException.ThrowIfNull(routeValue);
        var open = routeValue.IndexOf('<', StringComparison.Ordinal);
        var close = routeValue.IndexOf('>', StringComparison.Ordinal);
        return open >= 0 && close > open ? routeValue[(open + 1)..close] : routeValue.Trim();
    }
}
