using System.Buffers;
using System.Globalization;
using System.Text;
using Routing.Sip.Message;

namespace Routing.Edge.Proxy;

/// <summary>One forwarded copy of a request: what RFC 3261 §16.6 changes in it.</summary>
/// <param name="RequestUri">The new Request-URI (§16.6 step 2), null to keep the one the route plan leaves.</param>
/// <param name="PreloadedRoutes">Route values placed in front of the route plan's (a binding's Path, §16.6 step 6).</param>
/// <param name="Via">The via-parm this proxy pushes (§16.6 step 8), e.g. <c>SIP/2.0/UDP host:port;branch=…</c>; null when the edge pushes it as it sends (it alone knows the socket).</param>
/// <param name="RecordRoute">Record-Route value to insert (§16.6 step 4), null when not record-routing.</param>
/// <param name="MaxBreadth">RFC 5393 Max-Breadth for this branch, null to leave the header alone.</param>
public sealed record ForwardSpec(string? RequestUri, IReadOnlyList<string> PreloadedRoutes, string? Via, string? RecordRoute, int? MaxBreadth);

/// <summary>RFC 3261 §16.6 (request forwarding): writes one branch's copy of a request by splicing the received bytes.</summary>
public static class ProxyForwarder
{
    /// <summary>
    /// Writes the forwarded request. Returns false without writing when Max-Forwards is already 0 (the caller answers
    /// 483, §16.3 step 3).
    /// </summary>
    public static bool Write(SipMessage request, RoutePlan plan, ForwardSpec spec, SipMessageEditor editor, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(editor);
        ArgumentNullException.ThrowIfNull(output);
        editor.Begin(request);

        // Step 3: Max-Forwards.
        if (!editor.DecrementMaxForwards())
        {
            return false;
        }

        // Step 2 and §16.4/§16.6 step 6: the Request-URI is the target, or what strict-route handling left.
        var uri = spec.RequestUri ?? plan.RequestUri;
        if (uri is not null)
        {
            editor.SetRequestUri(Encoding.UTF8.GetBytes(uri));
        }

        // Step 4: Record-Route, above any existing ones.
        if (spec.RecordRoute is not null)
        {
            editor.InsertRecordRoute(Encoding.UTF8.GetBytes(spec.RecordRoute));
        }

        // Step 5 (RFC 5393 §5.3.3): this branch's share of Max-Breadth.
        if (spec.MaxBreadth is { } breadth)
        {
            editor.RemoveHeaders("Max-Breadth"u8);
            editor.AddHeader("Max-Breadth"u8, Encoding.ASCII.GetBytes(breadth.ToString(CultureInfo.InvariantCulture)));
        }

        // Step 6: the Route set is the pre-loaded Path followed by what Route processing left.
        if (plan.RouteSetChanged || spec.PreloadedRoutes.Count > 0)
        {
            editor.RemoveHeaders(SipHeaderId.Route);
            var routes = new List<string>(spec.PreloadedRoutes.Count + plan.Routes.Count);
            routes.AddRange(spec.PreloadedRoutes);
            routes.AddRange(plan.Routes);
            if (routes.Count > 0)
            {
                editor.AddHeader(SipHeaderId.Route, Encoding.UTF8.GetBytes(string.Join(", ", routes)));
            }
        }

        // Step 8: our Via on top.
        if (spec.Via is not null)
        {
            editor.PushVia(Encoding.ASCII.GetBytes(spec.Via));
        }

        editor.WriteTo(output);
        return true;
    }

    /// <summary>The via-parm for a branch: <c>SIP/2.0/TRANSPORT sent-by;branch=…;rport</c> (RFC 3581 asks for rport).</summary>
    public static string ViaValue(string transport, string sentBy, string branch) =>
        string.Concat("SIP/2.0/", transport.ToUpperInvariant(), " ", sentBy, ";branch=", branch, ";rport");
}

/// <summary>RFC 3261 §16.7 step 3: a response loses the topmost Via (ours) before it goes upstream.</summary>
public static class ProxyResponses
{
    /// <summary>Writes <paramref name="response"/> without its first Via value.</summary>
    public static void WriteWithoutTopVia(SipMessage response, SipMessageEditor editor, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(editor);
        editor.Begin(response);
        var index = response.IndexOf(SipHeaderId.Via);
        if (index >= 0)
        {
            var values = new List<string>();
            foreach (var range in response.EnumerateValues(SipHeaderId.Via))
            {
                values.Add(response.GetString(range).Trim());
            }

            editor.RemoveHeaders(SipHeaderId.Via);
            if (values.Count > 1)
            {
                editor.PushVia(Encoding.UTF8.GetBytes(string.Join(", ", values.GetRange(1, values.Count - 1))));
            }
        }

        editor.WriteTo(output);
    }
}
