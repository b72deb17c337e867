using Routing.Cluster.Registrar;
using Routing.Sip.Auth;
using static Routing.Cluster.Tests.Registrar.RegistrarFixtures;

namespace Routing.Cluster.Tests.Registrar;

public sealed class RegistrarDeciderTests
{
    [Fact]
    public void Register_NewContact_AddsBindingWithHeaderExpiry()
    {
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.10:5060")]), T0, NoAuth);

        Assert.Null(d.Reply.Rejection);
        var added = Assert.IsType<BindingAdded>(Assert.Single(d.Persist));
        Assert.Equal(T0.AddSeconds(3600), added.Binding.ExpiresAt);
        var view = Assert.Single(d.Reply.Bindings);
        Assert.Equal(3600, view.RemainingSeconds);
        Assert.Equal("test-ua/1.0", view.Binding.UserAgent);
    }

    [Fact]
    public void Rfc3261_10_2_1_1_ContactExpiresParameter_OverridesExpiresHeader()
    {
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.10", expires: 120)], headerExpires: 3600), T0, NoAuth);

        Assert.Equal(120, Assert.Single(d.Reply.Bindings).RemainingSeconds);
    }

    [Fact]
    public void Rfc3261_10_2_1_1_NoExpiresAnywhere_UsesDefault()
    {
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.10")], headerExpires: null), T0, NoAuth with { DefaultExpires = 1800 });

        Assert.Equal(1800, Assert.Single(d.Reply.Bindings).RemainingSeconds);
    }

    [Fact]
    public void Rfc3261_10_3_Step7_ExpiryBelowMinimum_Answers423WithMinExpires()
    {
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.10", expires: 30)]), T0, NoAuth with { MinExpires = 60 });

        Assert.Equal(RegisterRejection.IntervalTooBrief, d.Reply.Rejection);
        Assert.Equal(60u, d.Reply.MinExpires);
        Assert.Empty(d.Persist);
        Assert.Empty(state.Bindings);
    }

    [Fact]
    public void Rfc3261_10_3_Step7_ExpiryAboveMaximum_IsShortenedToMaximum()
    {
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.10", expires: 100_000)]), T0, NoAuth with { MaxExpires = 7200 });

        Assert.Equal(7200, Assert.Single(d.Reply.Bindings).RemainingSeconds);
    }

    [Fact]
    public void Rfc3261_10_3_Step7_ExpiresZero_RemovesTheBinding()
    {
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@192.0.2.10")]), T0, NoAuth);
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.10", expires: 0)], cseq: 2), T0.AddSeconds(5), NoAuth);

        var removed = Assert.IsType<BindingRemoved>(Assert.Single(d.Persist));
        Assert.Equal(BindingRemovalReason.Unregistered, removed.Reason);
        Assert.Empty(d.Reply.Bindings);
    }

    [Fact]
    public void Rfc3261_10_3_Step6_StarWithExpiresZero_RemovesEveryBinding()
    {
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@192.0.2.10")], callId: "a"), T0, NoAuth);
        Apply(ref state, Register([Contact("sip:alice@192.0.2.11")], callId: "b"), T0, NoAuth);
        var d = Apply(ref state, Register([], headerExpires: 0, callId: "c", star: true), T0.AddSeconds(1), NoAuth);

        Assert.Null(d.Reply.Rejection);
        Assert.Equal(2, d.Persist.Count);
        Assert.All(d.Persist, e => Assert.Equal(BindingRemovalReason.Wildcard, Assert.IsType<BindingRemoved>(e).Reason));
        Assert.Empty(state.Bindings);
    }

    [Fact]
    public void Rfc3261_10_3_Step6_StarWithNonZeroExpires_Answers400()
    {
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([], headerExpires: 3600, star: true), T0, NoAuth);

        Assert.Equal(RegisterRejection.InvalidStar, d.Reply.Rejection);
    }

    [Fact]
    public void Rfc3261_10_3_Step6_StarWithOtherContacts_Answers400()
    {
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.10")], headerExpires: 0, star: true), T0, NoAuth);

        Assert.Equal(RegisterRejection.InvalidStar, d.Reply.Rejection);
    }

    [Fact]
    public void Rfc3261_10_3_Step7_SameCallIdLowerCSeq_IsRejectedAndChangesNothing()
    {
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@192.0.2.10")], cseq: 5), T0, NoAuth);
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.10", expires: 0)], cseq: 4), T0.AddSeconds(1), NoAuth);

        Assert.Equal(RegisterRejection.OutOfOrder, d.Reply.Rejection);
        Assert.Single(state.Bindings);
    }

    [Fact]
    public void Rfc3261_10_3_Step7_SameCallIdSameCSeq_IsARetransmissionAnsweredWithTheBindings()
    {
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@192.0.2.10")], cseq: 5), T0, NoAuth);
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.10")], cseq: 5), T0.AddSeconds(1), NoAuth);

        Assert.Null(d.Reply.Rejection);
        Assert.Empty(d.Persist);
        Assert.Single(d.Reply.Bindings);
    }

    [Fact]
    public void Rfc3261_10_3_Step7_OtherCallId_UpdatesTheBindingWhateverItsCSeq()
    {
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@192.0.2.10")], callId: "first", cseq: 50), T0, NoAuth);
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.10", expires: 600)], callId: "second", cseq: 1), T0.AddSeconds(10), NoAuth);

        var refreshed = Assert.IsType<BindingRefreshed>(Assert.Single(d.Persist));
        Assert.Equal("second", refreshed.Binding.CallId);
        Assert.Equal(T0, refreshed.Binding.RegisteredAt);
        Assert.Equal(600, Assert.Single(d.Reply.Bindings).RemainingSeconds);
    }

    [Fact]
    public void Rfc3261_19_1_4_EquivalentContactUris_AreTheSameBinding()
    {
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@Host.Example.com;transport=udp")], cseq: 1), T0, NoAuth);
        var d = Apply(ref state, Register([Contact("sip:alice@host.example.COM;Transport=UDP")], cseq: 2), T0.AddSeconds(1), NoAuth);

        Assert.IsType<BindingRefreshed>(Assert.Single(d.Persist));
        Assert.Single(d.Reply.Bindings);
    }

    [Fact]
    public void Rfc3261_10_3_Step8_ReplyListsEveryBindingWithItsRemainingExpiry()
    {
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@192.0.2.10", expires: 600)], callId: "a"), T0, NoAuth);
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.11", expires: 3600)], callId: "b"), T0.AddSeconds(100), NoAuth);

        Assert.Equal([500L, 3600L], d.Reply.Bindings.Select(b => b.RemainingSeconds).ToArray());
    }

    [Fact]
    public void Register_QueryWithoutContacts_ReturnsBindingsAndPersistsNothing()
    {
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@192.0.2.10")]), T0, NoAuth);
        var d = Apply(ref state, Register([], callId: "q"), T0.AddSeconds(1), NoAuth);

        Assert.Empty(d.Persist);
        Assert.Single(d.Reply.Bindings);
    }

    [Fact]
    public void Rfc3261_10_3_Step7_AllOrNothing_OneContactTooBrief_AddsNone()
    {
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.10", expires: 3600), Contact("sip:alice@192.0.2.11", expires: 5)]), T0, NoAuth);

        Assert.Equal(RegisterRejection.IntervalTooBrief, d.Reply.Rejection);
        Assert.Empty(state.Bindings);
    }

    [Fact]
    public void Register_MoreThanMaxBindings_Answers403TooManyBindings()
    {
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@192.0.2.10")], callId: "a"), T0, NoAuth with { MaxBindings = 1 });
        var d = Apply(ref state, Register([Contact("sip:alice@192.0.2.11")], callId: "b"), T0, NoAuth with { MaxBindings = 1 });

        Assert.Equal(RegisterRejection.TooManyBindings, d.Reply.Rejection);
    }

    [Fact]
    public void Rfc4475_3_3_12_ContactParameterOutsideUri_IsKeptApartFromTheUri()
    {
        // cparam01: Contact: sip:+19725552222@gw1.example.net;unknownparam (no angle brackets: the parameter is a contact-param).
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:+19725552222@gw1.example.net", parameters: ";unknownparam")]), T0, NoAuth);

        var b = Assert.Single(d.Reply.Bindings).Binding;
        Assert.Equal("sip:+19725552222@gw1.example.net", b.ContactUri);
        Assert.Equal(";unknownparam", b.Parameters);
    }

    [Fact]
    public void Rfc4475_3_3_13_UriParameterInsideBrackets_StaysPartOfTheContactUri()
    {
        // cparam02: Contact: <sip:+19725552222@gw1.example.net;unknownparam>: a URI parameter; a later fetch must show it inside the URI.
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:+19725552222@gw1.example.net;unknownparam")], callId: "c2"), T0, NoAuth);
        var fetch = Apply(ref state, Register([], callId: "fetch"), T0.AddSeconds(1), NoAuth);

        var b = Assert.Single(fetch.Reply.Bindings).Binding;
        Assert.Equal("sip:+19725552222@gw1.example.net;unknownparam", b.ContactUri);
        Assert.Equal(string.Empty, b.Parameters);
    }

    [Fact]
    public void Rfc4475_3_3_14_EscapedHeaderInContactUri_IsStoredVerbatim()
    {
        // regescrt: M: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>.
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:user@example.com?Route=%3Csip:sip.example.com%3E")]), T0, NoAuth);

        Assert.Equal("sip:user@example.com?Route=%3Csip:sip.example.com%3E", Assert.Single(d.Reply.Bindings).Binding.ContactUri);
    }

    [Fact]
    public void Rfc5626_6_SameInstanceAndRegId_ReplacesTheFlowOfTheSameDevice()
    {
        const string instance = "\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"";
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@10.0.0.5:5060", instance: instance, regId: 1)], callId: "wifi", source: "198.51.100.1:40000",
            outbound: true), T0, NoAuth);
        // Handover to LTE: new address, new Call-ID, same instance and reg-id.
        var d = Apply(ref state, Register([Contact("sip:alice@100.64.0.9:6000", instance: instance, regId: 1)], callId: "lte",
            source: "203.0.113.7:50000", outbound: true), T0.AddSeconds(30), NoAuth);

        var refreshed = Assert.IsType<BindingRefreshed>(Assert.Single(d.Persist));
        var b = Assert.Single(d.Reply.Bindings).Binding;
        Assert.Equal("sip:alice@100.64.0.9:6000", b.ContactUri);
        Assert.Equal("203.0.113.7:50000", b.Source.Address);
        Assert.Equal(refreshed.Key, b.Key);
        Assert.True(d.Reply.OutboundUsed);
    }

    [Fact]
    public void Rfc5626_6_SameInstanceOtherRegId_IsASecondFlow()
    {
        const string instance = "\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"";
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@10.0.0.5", instance: instance, regId: 1)], callId: "a", outbound: true), T0, NoAuth);
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.6", instance: instance, regId: 2)], callId: "b", outbound: true), T0, NoAuth);

        Assert.Equal(2, d.Reply.Bindings.Count);
    }

    [Fact]
    public void Rfc5626_6_RegIdWithoutOutboundSupport_IsAPlainBinding()
    {
        const string instance = "\"<urn:uuid:1>\"";
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5", instance: instance, regId: 1)], outbound: false), T0, NoAuth);

        Assert.False(d.Reply.OutboundUsed);
        Assert.Null(Assert.Single(d.Reply.Bindings).Binding.RegId);
    }

    [Fact]
    public void Rfc5626_6_RegIdWithSeveralContacts_Answers400()
    {
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5", instance: "\"<urn:uuid:1>\"", regId: 1), Contact("sip:alice@10.0.0.6")],
            outbound: true), T0, NoAuth);

        Assert.Equal(RegisterRejection.InvalidOutbound, d.Reply.Rejection);
    }

    [Fact]
    public void Rfc3327_5_3_PathIsStoredWithTheBinding()
    {
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], path: ["<sip:edge1.example.com;lr>", "<sip:p2.example.com;lr>"]), T0, NoAuth);

        Assert.Equal(["<sip:edge1.example.com;lr>", "<sip:p2.example.com;lr>"], Assert.Single(d.Reply.Bindings).Binding.Path);
    }

    [Fact]
    public void Expire_BindingPastItsExpiry_GivesBindingExpired()
    {
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@10.0.0.5", expires: 60)]), T0, NoAuth);

        Assert.Empty(RegistrarDecider.Expire(state, T0.AddSeconds(59)));
        var expired = Assert.IsType<BindingExpired>(Assert.Single(RegistrarDecider.Expire(state, T0.AddSeconds(60))));
        Assert.Empty(state.Evolve(expired).Bindings);
    }

    [Fact]
    public void Register_AfterABindingLapsed_ReplyNeverListsIt()
    {
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact("sip:alice@10.0.0.5", expires: 60)], callId: "a"), T0, NoAuth);
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.6")], callId: "b"), T0.AddSeconds(61), NoAuth);

        Assert.IsType<BindingExpired>(d.Persist[0]);
        Assert.Equal("sip:alice@10.0.0.6", Assert.Single(d.Reply.Bindings).Binding.ContactUri);
    }

    [Fact]
    public void Coalesce_RefreshWithinWindow_IsAppliedInMemoryOnly()
    {
        var settings = NoAuth with { RefreshPersistence = RefreshPersistence.Coalesce, CoalesceWindow = TimeSpan.FromMinutes(5) };
        var state = UserState.Empty(Aor);
        var first = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], callId: "a"), T0, settings);
        state = state.MarkPersisted(first.Persist[0], T0);
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], callId: "b"), T0.AddSeconds(60), settings);

        Assert.Empty(d.Persist);
        Assert.IsType<BindingRefreshed>(Assert.Single(d.InMemory));
        Assert.Equal(3600, Assert.Single(d.Reply.Bindings).RemainingSeconds);
    }

    [Fact]
    public void Coalesce_RefreshAfterWindow_IsPersisted()
    {
        var settings = NoAuth with { RefreshPersistence = RefreshPersistence.Coalesce, CoalesceWindow = TimeSpan.FromMinutes(5) };
        var state = UserState.Empty(Aor);
        var first = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], callId: "a"), T0, settings);
        state = state.MarkPersisted(first.Persist[0], T0);
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], callId: "b"), T0.AddMinutes(6), settings);

        Assert.IsType<BindingRefreshed>(Assert.Single(d.Persist));
    }

    [Fact]
    public void Coalesce_RefreshFromNewSource_IsPersisted()
    {
        var settings = NoAuth with { RefreshPersistence = RefreshPersistence.Coalesce };
        var state = UserState.Empty(Aor);
        var first = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], callId: "a"), T0, settings);
        state = state.MarkPersisted(first.Persist[0], T0);
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], callId: "b", source: "203.0.113.9:5060"), T0.AddSeconds(10), settings);

        Assert.Single(d.Persist);
    }

    [Fact]
    public void WriteThrough_EveryRefresh_IsPersisted()
    {
        var state = UserState.Empty(Aor);
        var first = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], callId: "a"), T0, NoAuth);
        state = state.MarkPersisted(first.Persist[0], T0);
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], callId: "b"), T0.AddSeconds(10), NoAuth);

        Assert.Single(d.Persist);
        Assert.Empty(d.InMemory);
    }

    [Fact]
    public void Digest_SippStyleCredentialsWithoutSpaces_Register()
    {
        var nonce = Nonces.Issue(T0, Realm);
        var ha1 = DigestHash.ComputeHa1(DigestAlgorithm.Md5, "alice", Realm, Password);
        var response = DigestHash.ComputeResponse(DigestAlgorithm.Md5, ha1, nonce, "6b8b4567", "00000001", "auth", "REGISTER", "sip:example.com");
        var header = $"Digest username=\"alice\",realm=\"example.com\",cnonce=\"6b8b4567\",nc=00000001,qop=auth,uri=\"sip:example.com\",nonce=\"{nonce}\",response=\"{response}\",algorithm=MD5";
        var state = Provisioned();
        var d = Apply(ref state, Register([Contact("sip:alice@127.0.0.2:5080")], authorization: header), T0.AddSeconds(1), Digest);

        Assert.Null(d.Reply.Rejection);
    }

    [Fact]
    public void Digest_NoCredentials_Challenges()
    {
        var state = Provisioned();
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")]), T0, Digest);

        Assert.Equal(RegisterRejection.Challenge, d.Reply.Rejection);
    }

    [Theory]
    [InlineData(DigestAlgorithm.Md5)]
    [InlineData(DigestAlgorithm.Sha256)]
    public void Digest_RightPassword_Registers(DigestAlgorithm algorithm)
    {
        var state = Provisioned();
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], authorization: Answer(T0, algorithm: algorithm)), T0.AddSeconds(1), Digest);

        Assert.Null(d.Reply.Rejection);
        Assert.Single(d.Reply.Bindings);
    }

    [Fact]
    public void Digest_WrongPassword_Answers403AndCountsAFailure()
    {
        var state = Provisioned();
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], authorization: Answer(T0, password: "guess")), T0, Digest);

        Assert.Equal(RegisterRejection.Forbidden, d.Reply.Rejection);
        Assert.Equal(1, state.TotalFailures);
    }

    [Fact]
    public void Rfc7616_3_3_RightPasswordExpiredNonce_AnswersStale()
    {
        var state = Provisioned();
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], authorization: Answer(T0)), T0.AddMinutes(10), Digest);

        Assert.Equal(RegisterRejection.StaleNonce, d.Reply.Rejection);
        Assert.Equal(0, state.TotalFailures);
    }

    [Fact]
    public void Rfc3261_10_3_Step4_CredentialsOfAnotherUser_Answers403()
    {
        var state = Provisioned();
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], authorization: Answer(T0, username: "mallory")), T0, Digest);

        Assert.Equal(RegisterRejection.Forbidden, d.Reply.Rejection);
    }

    [Fact]
    public void Rfc7616_3_4_6_DigestUriOfAnotherRequestUri_IsChallengedAgain()
    {
        var state = Provisioned();
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], authorization: Answer(T0, uri: "sip:other.example.com")), T0, Digest);

        Assert.Equal(RegisterRejection.Challenge, d.Reply.Rejection);
    }

    [Fact]
    public void Rfc4475_3_1_2_UnknownAuthorizationScheme_IsChallenged()
    {
        // regaut01: Authorization: NoOneKnowsThisScheme opaque-data=here.
        var state = Provisioned();
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], authorization: "NoOneKnowsThisScheme opaque-data=here"), T0, Digest);

        Assert.Equal(RegisterRejection.Challenge, d.Reply.Rejection);
    }

    [Fact]
    public void Rfc3261_10_3_Step5_UnknownUserNotHidden_Answers404()
    {
        var state = UserState.Empty(Aor);
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")]), T0, Digest with { HideUnknownUsers = false });

        Assert.Equal(RegisterRejection.NotFound, d.Reply.Rejection);
    }

    [Fact]
    public void Rfc3261_10_3_Step5_UnknownUserHidden_IsChallengedThenForbiddenLikeAKnownOne()
    {
        var state = UserState.Empty(Aor);
        var first = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")]), T0, Digest);
        var second = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], authorization: Answer(T0)), T0, Digest);

        Assert.Equal(RegisterRejection.Challenge, first.Reply.Rejection);
        Assert.Equal(RegisterRejection.Forbidden, second.Reply.Rejection);
    }

    [Fact]
    public void BruteForce_AfterConfiguredFailures_SourceIsLockedOutEvenWithTheRightPassword()
    {
        var settings = Digest with { LockoutAttempts = 3, LockoutWindow = TimeSpan.FromMinutes(5) };
        var state = Provisioned();
        for (var i = 0; i < 3; i++)
        {
            Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], cseq: i + 1, source: "198.51.100.66:5060", authorization: Answer(T0, password: "guess" + i)),
                T0, settings);
        }

        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], cseq: 9, source: "198.51.100.66:5060", authorization: Answer(T0)), T0.AddSeconds(1),
            settings);

        Assert.Equal(RegisterRejection.LockedOut, d.Reply.Rejection);
    }

    [Fact]
    public void BruteForce_LockedOutAttacker_GenuineUserFromAnotherAddressStillRegisters()
    {
        var settings = Digest with { LockoutAttempts = 3 };
        var state = Provisioned();
        for (var i = 0; i < 5; i++)
        {
            Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], cseq: i + 1, source: "198.51.100.66:5060", authorization: Answer(T0, password: "guess")),
                T0, settings);
        }

        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.7")], callId: "genuine", source: "192.0.2.20:5060", authorization: Answer(T0)),
            T0.AddSeconds(1), settings);

        Assert.Null(d.Reply.Rejection);
    }

    [Fact]
    public void BruteForce_AfterTheLockoutWindow_SourceMayTryAgain()
    {
        var settings = Digest with { LockoutAttempts = 2, LockoutWindow = TimeSpan.FromMinutes(1) };
        var state = Provisioned();
        for (var i = 0; i < 2; i++)
        {
            Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], cseq: i + 1, source: "198.51.100.66:5060", authorization: Answer(T0, password: "x")), T0,
                settings);
        }

        var later = T0.AddMinutes(2);
        var d = Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], cseq: 10, source: "198.51.100.66:5060", authorization: Answer(later)), later,
            settings);

        Assert.Null(d.Reply.Rejection);
    }

    [Fact]
    public void Deprovision_RemovesBindingsAndUser()
    {
        var state = Provisioned();
        Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], authorization: Answer(T0)), T0, Digest);
        var events = RegistrarDecider.Decide(state, new DeprovisionUser(Aor), T0);
        foreach (var e in events)
        {
            state = state.Evolve(e);
        }

        Assert.False(state.Provisioned);
        Assert.Empty(state.Bindings);
        Assert.Empty(state.Credentials);
    }

    [Fact]
    public void Evolve_ReplayOfTheSameEvents_GivesTheSameBindings()
    {
        var state = UserState.Empty(Aor);
        var all = new List<IUserEvent>();
        all.AddRange(Apply(ref state, Register([Contact("sip:alice@10.0.0.5")], callId: "a"), T0, NoAuth).Persist);
        all.AddRange(Apply(ref state, Register([Contact("sip:alice@10.0.0.6", expires: 90)], callId: "b"), T0, NoAuth).Persist);
        all.AddRange(Apply(ref state, Register([Contact("sip:alice@10.0.0.5", expires: 0)], callId: "a", cseq: 2), T0, NoAuth).Persist);

        var replayed = UserState.Empty(Aor);
        foreach (var e in all)
        {
            replayed = replayed.Evolve(e);
        }

        Assert.Equal(state.Bindings, replayed.Bindings);
    }

    [Fact]
    public void Refresh_RepeatingTheSameTexts_StateKeepsTheStoredStrings_ChangedTextsAreTheNewOnes()
    {
        // Fresh string instances each time, as a parsed request brings them.
        static string Fresh(string s) => new(s.AsSpan());
        var state = UserState.Empty(Aor);
        Apply(ref state, Register([Contact(Fresh("sip:alice@10.0.0.5"))], callId: Fresh("a"), source: Fresh("10.0.0.5:5060"), userAgent: Fresh("ua/1")), T0, NoAuth);
        var first = state.Bindings[0];

        var d = Apply(ref state, Register([Contact(Fresh("sip:alice@10.0.0.5"))], callId: Fresh("a"), cseq: 2, source: Fresh("10.0.0.5:5060"),
            userAgent: Fresh("ua/2")), T0.AddSeconds(30), NoAuth);

        var refreshed = Assert.Single(state.Bindings);
        Assert.Same(first.ContactUri, refreshed.ContactUri);
        Assert.Same(first.CallId, refreshed.CallId);
        Assert.Same(first.Source, refreshed.Source);
        Assert.Equal("ua/2", refreshed.UserAgent);
        Assert.Equal(2, refreshed.CSeq);
        Assert.Equal(T0.AddSeconds(30 + 3600), refreshed.ExpiresAt);
        // Equal by value to the recorded event's binding: a replay gives the same state.
        Assert.Equal(Assert.IsType<BindingRefreshed>(Assert.Single(d.Persist)).Binding, refreshed);
    }
}
