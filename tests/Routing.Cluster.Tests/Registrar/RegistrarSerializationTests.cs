using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Routing.Cluster.Registrar;
using Routing.Cluster.Serialization;
using Routing.Sip.Auth;
using static Routing.Cluster.Tests.Registrar.RegistrarFixtures;

namespace Routing.Cluster.Tests.Registrar;

public sealed class RegistrarSerializationTests : IDisposable
{
    private static readonly Config SerializerConfig = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers { routing = "{{typeof(RoutingSerializer).AssemblyQualifiedName}}" }
          serialization-bindings { "{{typeof(IRoutingSerializable).AssemblyQualifiedName}}" = routing }
        }
        """);

    private static readonly Binding Sample = new("sip:alice@10.0.0.5:5060;transport=tcp", ";+sip.instance=\"<urn:uuid:1>\";reg-id=1;pn-provider=apns", 500,
        T0.AddSeconds(3600), "call-1", 7, "\"<urn:uuid:1>\"", 1, ["<sip:edge.example.com;lr>"], new BindingSource("203.0.113.7:50000", "tcp"), "ua/1",
        T0);

    private readonly ActorSystem _system = ActorSystem.Create("registrar-serializer-tests", SerializerConfig);

    public void Dispose() => _system.Dispose();

    public static TheoryData<object> Messages() =>
    [
        new UserProvisioned(Aor, "alice", Realm, T0),
        new UserDeprovisioned(Aor, T0),
        new CredentialsSet([new Ha1Entry(DigestAlgorithm.Sha256, "ab"), new Ha1Entry(DigestAlgorithm.Md5, "cd")], T0),
        new BindingAdded(Sample),
        new BindingRefreshed("key", Sample with { Q = null, Instance = null, RegId = null, UserAgent = null }),
        new BindingRemoved("key", BindingRemovalReason.Wildcard, T0),
        new BindingExpired("key", T0),
        new StopUserBox(),
        new GetUser(Aor),
        new DeprovisionUser(Aor),
        new RegistrarUnavailable(Aor),
        new UserChangeResult(Aor, UserChangeOutcome.Updated),
        new GetDigestCredentials(Aor),
        new DigestCredentialsResult(Aor, true, "alice", Realm, [new Ha1Entry(DigestAlgorithm.Sha256, "ab"), new Ha1Entry(DigestAlgorithm.Md5, "cd")]),
        new DigestCredentialsResult(Aor, false, null, null, []),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void RegistrarMessage_RoundTrip_EqualsOriginal(object original)
    {
        if (original is StopUserBox)
        {
            original = StopUser.Instance;
        }

        Assert.Equal(original, RoundTrip(original));
    }

    [Fact]
    public void RegisterBindings_RoundTrip_KeepsEveryField()
    {
        var original = Register([Contact("sip:alice@10.0.0.5", expires: 0, parameters: ";expires=0"), Contact("sip:a@b", instance: "\"<urn:1>\"", regId: 2)],
            headerExpires: null, authorization: "Digest username=\"alice\"", outbound: true, path: ["<sip:p;lr>"]);

        var back = Assert.IsType<RegisterBindings>(RoundTrip(original));

        Assert.Equal(original.Contacts, back.Contacts);
        Assert.Equal(original.Path, back.Path);
        Assert.Equal(original with { Contacts = back.Contacts, Path = back.Path }, back);
    }

    [Fact]
    public void RegisterReply_RoundTrip_KeepsRejectionAndBindings()
    {
        var ok = new RegisterReply(null, [new BindingView(Sample, 42)], 0, true);
        var rejected = RegisterReply.Rejected(RegisterRejection.IntervalTooBrief, 60);

        var okBack = Assert.IsType<RegisterReply>(RoundTrip(ok));
        var rejectedBack = Assert.IsType<RegisterReply>(RoundTrip(rejected));

        Assert.Null(okBack.Rejection);
        Assert.True(okBack.OutboundUsed);
        Assert.Equal(Sample with { Path = okBack.Bindings[0].Binding.Path }, okBack.Bindings[0].Binding);
        Assert.Equal(Sample.Path, okBack.Bindings[0].Binding.Path);
        Assert.Equal(RegisterRejection.IntervalTooBrief, rejectedBack.Rejection);
        Assert.Equal(60u, rejectedBack.MinExpires);
    }

    [Fact]
    public void UserSnapshot_RoundTrip_RestoresTheState()
    {
        var state = Provisioned() with { Bindings = [Sample] };

        var back = Assert.IsType<UserSnapshot>(RoundTrip(UserSnapshot.Of(state))).ToState();

        Assert.Equal(state.Username, back.Username);
        Assert.Equal(state.Credentials, back.Credentials);
        Assert.Equal(Sample.Key, Assert.Single(back.Bindings).Key);
    }

    [Fact]
    public void RegistrarEvents_Manifests_AreTheStableContract()
    {
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(new BindingAdded(Sample));

        Assert.Equal("UBA1", serializer.Manifest(new BindingAdded(Sample)));
        Assert.Equal("UBF1", serializer.Manifest(new BindingRefreshed("k", Sample)));
        Assert.Equal("UBE1", serializer.Manifest(new BindingExpired("k", T0)));
        Assert.Equal("UP1", serializer.Manifest(new UserProvisioned(Aor, "a", "r", T0)));
        Assert.Equal("UGD1", serializer.Manifest(new GetDigestCredentials(Aor)));
        Assert.Equal("UGDR1", serializer.Manifest(new DigestCredentialsResult(Aor, false, null, null, [])));
    }

    private object RoundTrip(object original)
    {
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(original);
        Assert.IsType<RoutingSerializer>(serializer);
        return serializer.FromBinary(serializer.ToBinary(original), serializer.Manifest(original));
    }

    /// <summary>StopUser has a private constructor; xunit cannot serialize it as theory data, so it is boxed.</summary>
    public sealed record StopUserBox;
}
