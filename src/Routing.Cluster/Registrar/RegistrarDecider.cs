using Routing.Sip.Auth;
using Routing.Sip.Uri;

namespace Routing.Cluster.Registrar;

/// <summary>
/// The outcome of <see cref="RegistrarDecider.Decide"/>: the reply, the events to persist before replying, and the
/// events (or counter changes) applied in memory only.
/// </summary>
/// <param name="Persist">Written to the journal before <paramref name="Reply"/> is sent.</param>
/// <param name="InMemory">Coalesced refreshes, applied without a journal write.</param>
/// <param name="Next">The state after every event (persisted and in-memory) and counter change.</param>
public sealed record RegisterDecision(RegisterReply Reply, IReadOnlyList<IUserEvent> Persist, IReadOnlyList<IUserEvent> InMemory, UserState Next);

/// <summary>
/// RFC 3261 §10.3 as a pure function of (state, REGISTER, now, settings). Steps 1-2 (Request-URI domain, Require) are
/// the edge's; this is steps 3-8 for one AOR:
/// <code>
///   lapsed bindings ─────────→ BindingExpired (before anything else, so the answer never lists them)
///   3 authenticate ── locked out ────────────────→ 403 (LockedOut)
///                  ├─ unknown user ──────────────→ 404, or challenge/403 like a known one when hiding users
///                  ├─ no / unusable credentials ─→ 401
///                  ├─ right password, old nonce ─→ 401 stale=true
///                  └─ wrong password ────────────→ 403, failure counted per source
///   4 authorize: digest username must be the AOR's user ─→ 403
///   6 Contact * ── other contacts or Expires ≠ 0 ─→ 400
///   7 per contact: expiry = contact param › Expires header › default; 0 &lt; e &lt; Min-Expires → 423; e &gt; max → max
///       key = +sip.instance + reg-id (RFC 5626 flow) › +sip.instance › contact URI (§19.1.4 equality)
///       same Call-ID and CSeq not higher → 400 (equal CSeq, unchanged: a retransmission, answered again)
///   8 200 with every binding and its remaining expiry
/// </code>
/// Either all contacts of a request are applied or none (step 7: "the binding updates MUST be committed ... only if all
/// ... succeed").
/// </summary>
public static class RegistrarDecider
{
    private static readonly IReadOnlyList<IUserEvent> None = [];

    public static RegisterDecision Decide(UserState state, RegisterBindings command, DateTimeOffset now, RegistrarSettings settings,
        DigestVerifier? verifier)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(settings);
        var persist = new List<IUserEvent>();
        var memory = new List<IUserEvent>();
        foreach (var expired in Expire(state, now))
        {
            persist.Add(expired);
            state = state.Evolve(expired);
        }

        if (settings.Authentication == RegistrarAuthentication.Digest)
        {
            if (verifier is null)
            {
                throw new ArgumentNullException(nameof(verifier), "digest authentication needs a verifier");
            }

            var rejection = Authenticate(ref state, command, now, settings, verifier);
            if (rejection is { } r)
            {
                return new RegisterDecision(RegisterReply.Rejected(r), persist, memory, state);
            }
        }

        if (command.Star)
        {
            // RFC 3261 §10.3 step 6: "*" only alone and only with Expires: 0.
            if (command.Contacts.Count > 0 || command.HeaderExpires != 0)
            {
                return new RegisterDecision(RegisterReply.Rejected(RegisterRejection.InvalidStar), persist, memory, state);
            }

            foreach (var b in state.Bindings)
            {
                if (string.Equals(b.CallId, command.CallId, StringComparison.Ordinal) && command.CSeq <= b.CSeq)
                {
                    return new RegisterDecision(RegisterReply.Rejected(RegisterRejection.OutOfOrder), persist, memory, state);
                }
            }

            foreach (var b in state.Bindings.ToArray())
            {
                var removed = new BindingRemoved(b.Key, BindingRemovalReason.Wildcard, now);
                persist.Add(removed);
                state = state.Evolve(removed);
            }

            return Accept(state, persist, memory, now, false);
        }

        var flowRequested = false;
        var flowCount = 0;
        foreach (var c in command.Contacts)
        {
            if (c.Instance is not null && c.RegId is not null)
            {
                flowCount++;
            }
        }

        // RFC 5626 §6: a REGISTER with a reg-id must register exactly one contact.
        if (flowCount > 0 && command.Contacts.Count > 1)
        {
            return new RegisterDecision(RegisterReply.Rejected(RegisterRejection.InvalidOutbound), persist, memory, state);
        }

        var next = state;
        var changes = new List<(IUserEvent Event, bool Coalescible)>();
        foreach (var c in command.Contacts)
        {
            var requested = c.Expires ?? command.HeaderExpires ?? settings.DefaultExpires;
            // RFC 3261 §10.3 step 7: shorter than the minimum (and not a removal) is refused with Min-Expires.
            if (requested != 0 && requested < settings.MinExpires)
            {
                return new RegisterDecision(RegisterReply.Rejected(RegisterRejection.IntervalTooBrief, settings.MinExpires), persist, memory, state);
            }

            var granted = Math.Min(requested, settings.MaxExpires);
            // RFC 5626 §6: only a UA that supports outbound gets flow semantics; otherwise plain RFC 3261 rules.
            var regId = command.Outbound && c.Instance is not null ? c.RegId : null;
            if (regId is not null)
            {
                flowRequested = true;
            }

            var existingIndex = FindExisting(next, c, regId);
            var existing = existingIndex >= 0 ? next.Bindings[existingIndex] : null;
            if (existing is not null && string.Equals(existing.CallId, command.CallId, StringComparison.Ordinal) && command.CSeq <= existing.CSeq)
            {
                if (command.CSeq == existing.CSeq)
                {
                    // A retransmission of the request that made this binding: answer it again, change nothing.
                    continue;
                }

                return new RegisterDecision(RegisterReply.Rejected(RegisterRejection.OutOfOrder), persist, memory, state);
            }

            if (granted == 0)
            {
                if (existing is not null)
                {
                    var removed = new BindingRemoved(existing.Key, BindingRemovalReason.Unregistered, now);
                    changes.Add((removed, false));
                    next = next.Evolve(removed);
                }

                continue;
            }

            var binding = new Binding(
                c.Uri, c.Parameters, c.Q, now.AddSeconds(granted), command.CallId, command.CSeq, c.Instance, regId,
                command.Path, command.Source, command.UserAgent, existing?.RegisteredAt ?? now);
            if (existing is null)
            {
                if (next.Bindings.Count >= settings.MaxBindings)
                {
                    return new RegisterDecision(RegisterReply.Rejected(RegisterRejection.TooManyBindings), persist, memory, state);
                }

                var added = new BindingAdded(binding);
                changes.Add((added, false));
                next = next.Evolve(added);
            }
            else
            {
                var refreshed = new BindingRefreshed(existing.Key, binding);
                changes.Add((refreshed, IsCoalescible(existing, binding, next, now, settings)));
                next = next.Evolve(refreshed);
            }
        }

        foreach (var (e, coalescible) in changes)
        {
            (coalescible ? memory : persist).Add(e);
        }

        return Accept(next, persist, memory, now, flowRequested);
    }

    /// <summary>BindingExpired for every binding whose expiry is at or before <paramref name="now"/>.</summary>
    public static IReadOnlyList<IUserEvent> Expire(UserState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        List<IUserEvent>? expired = null;
        foreach (var b in state.Bindings)
        {
            if (b.ExpiresAt <= now)
            {
                (expired ??= []).Add(new BindingExpired(b.Key, now));
            }
        }

        return expired ?? None;
    }

    /// <summary>Admin provisioning: creates the user or replaces its credentials.</summary>
    public static IReadOnlyList<IUserEvent> Decide(UserState state, ProvisionUser command, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        var events = new List<IUserEvent>(2);
        if (!state.Provisioned || state.Username != command.Username || state.Realm != command.Realm)
        {
            events.Add(new UserProvisioned(command.Aor, command.Username, command.Realm, now));
        }

        events.Add(new CredentialsSet(command.Credentials, now));
        return events;
    }

    /// <summary>Admin removal: the user and every binding go; nothing for an unknown user.</summary>
    public static IReadOnlyList<IUserEvent> Decide(UserState state, DeprovisionUser command, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        if (!state.Provisioned && state.Bindings.Count == 0)
        {
            return None;
        }

        var events = new List<IUserEvent>(state.Bindings.Count + 1);
        foreach (var b in state.Bindings)
        {
            events.Add(new BindingRemoved(b.Key, BindingRemovalReason.Deprovisioned, now));
        }

        if (state.Provisioned)
        {
            events.Add(new UserDeprovisioned(command.Aor, now));
        }

        return events;
    }

    /// <summary>Every live binding with its remaining expiry in whole seconds (rounded up, never 0 for a live one).</summary>
    public static IReadOnlyList<BindingView> Views(UserState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var views = new List<BindingView>(state.Bindings.Count);
        foreach (var b in state.Bindings)
        {
            if (b.ExpiresAt > now)
            {
                views.Add(new BindingView(b, (long)Math.Ceiling((b.ExpiresAt - now).TotalSeconds)));
            }
        }

        return views;
    }

    private static RegisterDecision Accept(UserState state, List<IUserEvent> persist, List<IUserEvent> memory, DateTimeOffset now, bool outbound) =>
        new(new RegisterReply(null, Views(state, now), 0, outbound), persist, memory, state);

    /// <summary>
    /// RFC 3261 §10.3 step 7 compares contact URIs by §19.1.4; RFC 5626 §6 names a flow by instance and reg-id; with an
    /// instance but no reg-id the instance names the device (so a new contact address replaces the old one).
    /// </summary>
    private static int FindExisting(UserState state, ContactRequest contact, int? regId)
    {
        if (contact.Instance is not null)
        {
            for (var i = 0; i < state.Bindings.Count; i++)
            {
                var b = state.Bindings[i];
                if (string.Equals(b.Instance, contact.Instance, StringComparison.Ordinal) && b.RegId == regId)
                {
                    return i;
                }
            }

            return -1;
        }

        // Exact text first (the common refresh), §19.1.4 equivalence only when that finds nothing.
        for (var i = 0; i < state.Bindings.Count; i++)
        {
            var b = state.Bindings[i];
            if (b.Instance is null && string.Equals(b.ContactUri, contact.Uri, StringComparison.Ordinal))
            {
                return i;
            }
        }

        if (state.Bindings.Count == 0 || !SipUri.TryParse(System.Text.Encoding.UTF8.GetBytes(contact.Uri), out var uri))
        {
            return -1;
        }

        for (var i = 0; i < state.Bindings.Count; i++)
        {
            var b = state.Bindings[i];
            if (b.Instance is null && SipUri.TryParse(System.Text.Encoding.UTF8.GetBytes(b.ContactUri), out var other) && uri.Equals(other))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsCoalescible(Binding existing, Binding next, UserState state, DateTimeOffset now, RegistrarSettings settings)
    {
        if (settings.RefreshPersistence != RefreshPersistence.Coalesce)
        {
            return false;
        }

        var same = string.Equals(existing.ContactUri, next.ContactUri, StringComparison.Ordinal)
            && string.Equals(existing.Parameters, next.Parameters, StringComparison.Ordinal)
            && existing.Q == next.Q
            && existing.Source == next.Source
            && string.Equals(existing.UserAgent, next.UserAgent, StringComparison.Ordinal)
            && existing.Path.SequenceEqual(next.Path);
        if (!same)
        {
            return false;
        }

        return state.PersistedAt.TryGetValue(existing.Key, out var at) && now - at < settings.CoalesceWindow;
    }

    private static RegisterRejection? Authenticate(ref UserState state, RegisterBindings command, DateTimeOffset now, RegistrarSettings settings,
        DigestVerifier verifier)
    {
        var source = SourceIp(command.Source.Address);
        if (state.Failures.TryGetValue(source, out var failures) && failures.LockedUntil is { } until && until > now)
        {
            return RegisterRejection.LockedOut;
        }

        if (!state.Provisioned)
        {
            if (!settings.HideUnknownUsers)
            {
                return RegisterRejection.NotFound;
            }

            // Hidden: the same challenge as for a real user, and a wrong answer is a counted failure.
            if (command.Authorization is null || !DigestCredentials.TryParse(command.Authorization, out _, out _))
            {
                return RegisterRejection.Challenge;
            }

            state = Failed(state, source, now, settings);
            return RegisterRejection.Forbidden;
        }

        if (command.Authorization is null || !DigestCredentials.TryParse(command.Authorization, out var credentials, out _))
        {
            return RegisterRejection.Challenge;
        }

        var realm = state.Realm ?? string.Empty;
        // RFC 3261 §10.3 step 4: the authenticated identity must be allowed to change this AOR: only its own user.
        if (!string.Equals(credentials.Username, state.Username, StringComparison.Ordinal))
        {
            state = Failed(state, source, now, settings);
            return RegisterRejection.Forbidden;
        }

        if (!UriMatches(credentials.Uri, command.RequestUri))
        {
            return RegisterRejection.Challenge;
        }

        var pre = verifier.Precheck(credentials, realm, null, out var algorithm);
        if (pre != DigestVerificationResult.Ok)
        {
            return RegisterRejection.Challenge;
        }

        var ha1 = state.Ha1For(algorithm);
        if (ha1 is null)
        {
            return RegisterRejection.Challenge;
        }

        switch (verifier.Verify(credentials, "REGISTER", realm, null, ha1, now))
        {
            case DigestVerificationResult.Ok:
                if (state.Failures.ContainsKey(source))
                {
                    state = state with { Failures = state.Failures.Remove(source) };
                }

                return null;
            case DigestVerificationResult.Stale:
                return RegisterRejection.StaleNonce;
            case DigestVerificationResult.WrongResponse:
                state = Failed(state, source, now, settings);
                return RegisterRejection.Forbidden;
            default:
                return RegisterRejection.Challenge;
        }
    }

    /// <summary>RFC 7616 §3.4.6: the digest-uri names the Request-URI; compared as SIP URIs (§19.1.4), not as strings.</summary>
    private static bool UriMatches(string? digestUri, string requestUri)
    {
        if (digestUri is null)
        {
            return false;
        }

        if (string.Equals(digestUri, requestUri, StringComparison.Ordinal))
        {
            return true;
        }

        return SipUri.TryParse(System.Text.Encoding.UTF8.GetBytes(digestUri), out var a)
            && SipUri.TryParse(System.Text.Encoding.UTF8.GetBytes(requestUri), out var b)
            && a.Equals(b);
    }

    private static UserState Failed(UserState state, string source, DateTimeOffset now, RegistrarSettings settings)
    {
        var count = state.Failures.TryGetValue(source, out var f) && now - f.FirstAt < settings.LockoutWindow
            ? f with { Count = f.Count + 1 }
            : new FailureCount(1, now, null);
        if (count.Count >= settings.LockoutAttempts)
        {
            count = count with { LockedUntil = now + settings.LockoutWindow };
        }

        var failures = state.Failures;
        // Bounded: a distributed guess against one AOR must not grow the entity without limit.
        if (failures.Count >= 1024 && !failures.ContainsKey(source))
        {
            failures = failures.Clear();
        }

        return state with { Failures = failures.SetItem(source, count), TotalFailures = state.TotalFailures + 1 };
    }

    /// <summary>The IP of an "ip:port" or "[v6]:port" source.</summary>
    internal static string SourceIp(string address)
    {
        if (address.StartsWith('['))
        {
            var close = address.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? address[1..close] : address;
        }

        var colon = address.LastIndexOf(':');
        return colon > 0 && address.IndexOf(':', StringComparison.Ordinal) == colon ? address[..colon] : address;
    }
}
