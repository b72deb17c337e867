using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Routing.Edge;

namespace Routing.Node.Hosting;

/// <summary>
/// Starts reading the SIP sockets bound during preflight and stops them once. A drain (CoordinatedShutdown) does it in
/// two steps: <see cref="BeginDrain"/> in service-unbind (no new connections or transactions), then
/// <see cref="FinishDrainAsync"/> in service-requests-done (transactions in flight finish within the bound, then every
/// socket and flow closes). When the host stops first (SIGTERM) <see cref="StopAsync"/> runs the same two steps.
/// </summary>
public sealed partial class SipListenerService : IHostedService
{
    private readonly BoundSipListeners _listeners;
    private readonly SipEdge _handler;
    private readonly ILogger<SipListenerService> _logger;
    private int _stopped;

    public SipListenerService(BoundSipListeners listeners, SipEdge handler, ILogger<SipListenerService> logger)
    {
        _listeners = listeners;
        _handler = handler;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // The transaction loop first, so the first datagram already finds its owner.
        _handler.Start();
        foreach (var u in _listeners.Udp)
        {
            u.Start(_handler);
        }

        foreach (var t in _listeners.Tcp)
        {
            t.Start(_handler);
        }

        return Task.CompletedTask;
    }

    /// <summary>Drain, first step: the edge takes no new transactions and the TCP/TLS listeners no new connections.</summary>
    public void BeginDrain()
    {
        if (Volatile.Read(ref _stopped) != 0)
        {
            return;
        }

        _handler.BeginDrain();
        foreach (var t in _listeners.Tcp)
        {
            t.StopAccepting();
        }

        LogDrainBegun(_logger, _handler.InFlight);
    }

    /// <summary>
    /// Drain, second step: waits up to <paramref name="bound"/> for the transactions in flight, then closes every
    /// socket (TCP/TLS flows end, so RFC 5626 §4.2 clients re-register through another member). Returns how many
    /// transactions were still in flight when the sockets closed.
    /// </summary>
    public async Task<int> FinishDrainAsync(TimeSpan bound)
    {
        if (Volatile.Read(ref _stopped) != 0)
        {
            return 0;
        }

        var start = TimeProvider.System.GetTimestamp();
        var left = await _handler.WaitForInFlightAsync(bound, CancellationToken.None).ConfigureAwait(false);
        var waited = TimeProvider.System.GetElapsedTime(start).TotalSeconds;
        LogDrainWaited(_logger, waited, left);
        await StopListenersAsync().ConfigureAwait(false);
        return left;
    }

    public async Task StopListenersAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _listeners.DisposeAsync().ConfigureAwait(false);
        await _handler.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>How long a drain waits for transactions in flight (set from the service-requests-done phase timeout).</summary>
    public TimeSpan DrainBound { get; set; }

    /// <summary>
    /// The host stops (SIGTERM, docker stop) before or without a CoordinatedShutdown drain: the same two steps, so a
    /// plain SIGTERM also lets transactions in flight finish. Nothing to do once the sockets are closed.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _stopped) != 0)
        {
            return;
        }

        BeginDrain();
        await FinishDrainAsync(DrainBound).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 2111, Level = LogLevel.Information, Message = "SIP drain: no new transactions or connections; {InFlight} transactions in flight")]
    private static partial void LogDrainBegun(ILogger logger, int inFlight);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Information, Message = "SIP drain: waited {Seconds:0.0} s for transactions in flight, {Left} left; closing the SIP sockets")]
    private static partial void LogDrainWaited(ILogger logger, double seconds, int left);
}
