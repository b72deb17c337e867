using Akka.Actor;
using Akka.Hosting;
using Routing.Cluster.Registrar;
using Routing.Edge.Proxy;

namespace Routing.Node.Proxy;

/// <summary>The proxy's location service over the registrar's <c>user</c> region (<see cref="GetUser"/>).</summary>
public sealed class ClusterLocationPort : ILocationPort
{
    private readonly ActorRegistry _registry;
    private readonly ProxyComposition.Settings _settings;
    private readonly TimeProvider _time;
    private IActorRef? _region;

    public ClusterLocationPort(ActorRegistry registry, ProxyComposition.Settings settings, TimeProvider time)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
    }

    public async Task<LocationResult> LookupAsync(string aor, CancellationToken cancellationToken)
    {
        _region ??= await _registry.GetAsync<UserRegion>(cancellationToken).ConfigureAwait(false);
        object reply;
        try
        {
            var region = _region;
            var query = new GetUser(aor);
            reply = await RepeatableAsk.AskAsync(timeout => region.Ask<object>(query, timeout, cancellationToken), _settings.AskTimeout,
                RepeatableAsk.NeverRefused, _time).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return LocationResult.Of(LocationStatus.Unavailable);
        }

        if (reply is not UserResult user)
        {
            return LocationResult.Of(LocationStatus.Unavailable);
        }

        return Map(user);
    }

    /// <summary>
    /// Every live binding is a target (RFC 3261 §16.5); a provisioned user without one is 480, an AOR that is neither
    /// provisioned nor registered is unknown.
    /// </summary>
    internal static LocationResult Map(UserResult user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Bindings.Count == 0)
        {
            return LocationResult.Of(user.Provisioned ? LocationStatus.NoBindings : LocationStatus.UnknownUser);
        }

        var targets = new List<ProxyTarget>(user.Bindings.Count);
        foreach (var view in user.Bindings)
        {
            var b = view.Binding;
            targets.Add(new ProxyTarget(b.ContactUri, b.Q, b.Instance, b.Path, b.Source.Address, b.Source.Transport));
        }

        return new LocationResult(LocationStatus.Found, targets);
    }
}
