using Microsoft.Extensions.Hosting;
using Routing.Edge;

namespace Routing.Node.Hosting;

/// <summary>
/// Starts reading the SIP sockets bound during preflight and stops them once: either at the CoordinatedShutdown
/// service-unbind phase or when the host stops, whichever comes first.
/// </summary>
public sealed class SipListenerService : IHostedService
{
    private readonly BoundSipListeners _listeners;
    private readonly SipEdge _handler;
    private int _stopped;

    public SipListenerService(BoundSipListeners listeners, SipEdge handler)
    {
        _listeners = listeners;
        _handler = handler;
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

    public async Task StopListenersAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _listeners.DisposeAsync().ConfigureAwait(false);
        await _handler.DisposeAsync().ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => StopListenersAsync();
}
