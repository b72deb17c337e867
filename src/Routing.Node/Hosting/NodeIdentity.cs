namespace Routing.Node.Hosting;

/// <summary>What the node knows about itself once the data folder is prepared.</summary>
/// <param name="NodeId">Stable id kept in <c>&lt;data&gt;/node.id</c>; names the node's ledger in the journal.</param>
/// <param name="DataDirectory">Absolute path of the data folder.</param>
/// <param name="AdminToken">Bearer token the admin API requires.</param>
/// <param name="AdminTokenFile">The file the token was read from or written to; null when it was configured.</param>
/// <param name="Version">Informational version of this build.</param>
public sealed record NodeIdentity(string NodeId, string DataDirectory, string AdminToken, string? AdminTokenFile, string Version);
