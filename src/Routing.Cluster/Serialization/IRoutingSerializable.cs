namespace Routing.Cluster.Serialization;

/// <summary>
/// Marker for every message or event that leaves the process (remoting or the journal). All of them are bound to
/// <see cref="RoutingSerializer"/>; with strict serialization on, anything else that tries to leave fails loudly.
/// </summary>
public interface IRoutingSerializable;
