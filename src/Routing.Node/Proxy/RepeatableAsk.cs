using Akka.Actor;

namespace Routing.Node.Proxy;

/// <summary>
/// Asks a shard region a question that is harmless to ask twice (a location lookup, the route of an in-dialog request,
/// which the dialog entity answers from its record of the request's CSeq), again when no answer came: while a member
/// leaves or rejoins, a message can wait for a shard home longer than one ask (the coordinator's state write retries
/// after its 5 s updating-state-timeout) or be dropped by a hand-off. The SIP request waits meanwhile; its server
/// transaction absorbs the client's retransmissions.
/// </summary>
internal static class RepeatableAsk
{
    /// <summary>
    /// Asks at most this many times: with the default 5 s ask timeout, 15 s in all, inside the 32 s a client waits for
    /// a final response (Timer B/F, RFC 3261 §17.1.1.2) and the edge waits for its TU (64×T1).
    /// </summary>
    internal const int Attempts = 3;

    /// <summary>The first pause before asking again after a refusal (the journal refused a write); it doubles after each.</summary>
    internal static readonly TimeSpan RefusalPause = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Returns the first answer that <paramref name="refused"/> does not reject, or the last answer; throws the last
    /// <see cref="AskTimeoutException"/> when no attempt was answered.
    /// </summary>
    internal static async Task<object> AskAsync(Func<TimeSpan, Task<object>> ask, TimeSpan timeout, Func<object, bool> refused, TimeProvider time)
    {
        var pause = RefusalPause;
        for (var attempt = 1; ; attempt++)
        {
            object reply;
            try
            {
                reply = await ask(timeout).ConfigureAwait(false);
            }
            catch (AskTimeoutException) when (attempt < Attempts)
            {
                continue;
            }

            if (attempt == Attempts || !refused(reply))
            {
                return reply;
            }

            // Give the journal's queue time to drain before adding to it again.
            await Task.Delay(pause, time).ConfigureAwait(false);
            pause += pause;
        }
    }

    /// <summary>No answer is a refusal: only a lost or late answer is asked again.</summary>
    internal static bool NeverRefused(object reply) => false;
}
