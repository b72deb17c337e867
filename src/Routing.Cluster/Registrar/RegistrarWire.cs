using System.Runtime.Serialization;
using Google.Protobuf;
using Routing.Sip.Auth;

namespace Routing.Cluster.Registrar;

/// <summary>
/// Protocol Buffers wire format of every registrar message and event, written by hand (see
/// <see cref="Serialization.RoutingSerializer"/> for the rules). Manifests start with "U" and are never reused; field
/// numbers are the contract. Times are Unix milliseconds (UTC).
/// </summary>
internal static class RegistrarWire
{
    // Events (persisted: these manifests must stay readable forever).
    internal const string UserProvisionedManifest = "UP1";
    internal const string UserDeprovisionedManifest = "UD1";
    internal const string CredentialsSetManifest = "UC1";
    internal const string BindingAddedManifest = "UBA1";
    internal const string BindingRefreshedManifest = "UBF1";
    internal const string BindingRemovedManifest = "UBR1";
    internal const string BindingExpiredManifest = "UBE1";
    internal const string SnapshotManifest = "US1";

    // Messages (remoting between nodes).
    internal const string RegisterManifest = "URG1";
    internal const string RegisterReplyManifest = "URR1";
    internal const string ProvisionManifest = "UPV1";
    internal const string DeprovisionManifest = "UDV1";
    internal const string GetUserManifest = "UG1";
    internal const string UserResultManifest = "UGR1";
    internal const string ChangeResultManifest = "UCR1";
    internal const string StopManifest = "USTOP1";
    internal const string UnavailableManifest = "UNA1";
    internal const string GetDigestCredentialsManifest = "UGD1";
    internal const string DigestCredentialsResultManifest = "UGDR1";

    public static string? Manifest(object o) => o switch
    {
        UserProvisioned => UserProvisionedManifest,
        UserDeprovisioned => UserDeprovisionedManifest,
        CredentialsSet => CredentialsSetManifest,
        BindingAdded => BindingAddedManifest,
        BindingRefreshed => BindingRefreshedManifest,
        BindingRemoved => BindingRemovedManifest,
        BindingExpired => BindingExpiredManifest,
        UserSnapshot => SnapshotManifest,
        RegisterBindings => RegisterManifest,
        RegisterReply => RegisterReplyManifest,
        ProvisionUser => ProvisionManifest,
        DeprovisionUser => DeprovisionManifest,
        GetUser => GetUserManifest,
        UserResult => UserResultManifest,
        UserChangeResult => ChangeResultManifest,
        StopUser => StopManifest,
        RegistrarUnavailable => UnavailableManifest,
        GetDigestCredentials => GetDigestCredentialsManifest,
        DigestCredentialsResult => DigestCredentialsResultManifest,
        _ => null,
    };

    public static bool Knows(string manifest) => manifest.Length > 0 && manifest[0] == 'U';

    public static byte[] Write(object o)
    {
        if (Manifest(o) is null)
        {
            throw new SerializationException($"registrar wire cannot write {o?.GetType().FullName}");
        }

        return Serialization.ProtoWriter.ToArray(o, WriteBody);
    }

    private static void WriteBody(CodedOutputStream w, object o)
    {
        switch (o)
        {
            case UserProvisioned e:
                Str(w, 1, e.Aor); Str(w, 2, e.Username); Str(w, 3, e.Realm); Time(w, 4, e.At);
                break;
            case UserDeprovisioned e:
                Str(w, 1, e.Aor); Time(w, 2, e.At);
                break;
            case CredentialsSet e:
                foreach (var c in e.Credentials)
                {
                    Msg(w, 1, c, WriteHa1);
                }

                Time(w, 2, e.At);
                break;
            case BindingAdded e:
                Msg(w, 1, e.Binding, WriteBinding);
                break;
            case BindingRefreshed e:
                Str(w, 1, e.Key); Msg(w, 2, e.Binding, WriteBinding);
                break;
            case BindingRemoved e:
                Str(w, 1, e.Key); Int(w, 2, (int)e.Reason); Time(w, 3, e.At);
                break;
            case BindingExpired e:
                Str(w, 1, e.Key); Time(w, 2, e.At);
                break;
            case UserSnapshot s:
                Str(w, 1, s.Aor); Bool(w, 2, s.Provisioned); Str(w, 3, s.Username); Str(w, 4, s.Realm);
                foreach (var c in s.Credentials)
                {
                    Msg(w, 5, c, WriteHa1);
                }

                foreach (var b in s.Bindings)
                {
                    Msg(w, 6, b, WriteBinding);
                }

                break;
            case RegisterBindings r:
                Str(w, 1, r.Aor); Str(w, 2, r.RequestUri); Bool(w, 3, r.Star);
                foreach (var c in r.Contacts)
                {
                    Msg(w, 4, c, WriteContact);
                }

                if (r.HeaderExpires is { } he)
                {
                    w.WriteTag(5, WireFormat.WireType.Varint); w.WriteUInt32(he);
                }

                Str(w, 6, r.CallId); Long(w, 7, r.CSeq);
                foreach (var p in r.Path)
                {
                    Str(w, 8, p);
                }

                Str(w, 9, r.Source.Address); Str(w, 10, r.Source.Transport); Str(w, 11, r.UserAgent); Str(w, 12, r.Authorization);
                Bool(w, 13, r.Outbound);
                break;
            case RegisterReply r:
                if (r.Rejection is { } rej)
                {
                    w.WriteTag(1, WireFormat.WireType.Varint); w.WriteInt32((int)rej + 1);
                }

                foreach (var v in r.Bindings)
                {
                    Msg(w, 2, v, WriteView);
                }

                w.WriteTag(3, WireFormat.WireType.Varint); w.WriteUInt32(r.MinExpires);
                Bool(w, 4, r.OutboundUsed);
                break;
            case ProvisionUser p:
                Str(w, 1, p.Aor); Str(w, 2, p.Username); Str(w, 3, p.Realm);
                foreach (var c in p.Credentials)
                {
                    Msg(w, 4, c, WriteHa1);
                }

                break;
            case DeprovisionUser d:
                Str(w, 1, d.Aor);
                break;
            case GetUser g:
                Str(w, 1, g.Aor);
                break;
            case UserResult u:
                Str(w, 1, u.Aor); Bool(w, 2, u.Provisioned);
                foreach (var a in u.Algorithms)
                {
                    Int(w, 3, (int)a);
                }

                foreach (var v in u.Bindings)
                {
                    Msg(w, 4, v, WriteView);
                }

                Int(w, 5, u.FailedAttempts);
                break;
            case UserChangeResult c:
                Str(w, 1, c.Aor); Int(w, 2, (int)c.Outcome);
                break;
            case StopUser:
                break;
            case RegistrarUnavailable u:
                Str(w, 1, u.Aor);
                break;
            case GetDigestCredentials g:
                Str(w, 1, g.Aor);
                break;
            case DigestCredentialsResult d:
                Str(w, 1, d.Aor); Bool(w, 2, d.Provisioned);
                if (d.Username is not null)
                {
                    Str(w, 3, d.Username);
                }

                if (d.Realm is not null)
                {
                    Str(w, 4, d.Realm);
                }

                foreach (var c in d.Credentials)
                {
                    Msg(w, 5, c, WriteHa1);
                }

                break;
            default:
                throw new SerializationException($"registrar wire cannot write {o?.GetType().FullName}");
        }
    }

    public static object Read(byte[] bytes, string manifest)
    {
        var r = new CodedInputStream(bytes);
        switch (manifest)
        {
            case UserProvisionedManifest:
            {
                string aor = "", user = "", realm = "";
                long at = 0;
                Fields(r, (n, s) =>
                {
                    switch (n)
                    {
                        case 1: aor = s.ReadString(); return true;
                        case 2: user = s.ReadString(); return true;
                        case 3: realm = s.ReadString(); return true;
                        case 4: at = s.ReadInt64(); return true;
                        default: return false;
                    }
                });
                return new UserProvisioned(aor, user, realm, FromMs(at));
            }

            case UserDeprovisionedManifest:
            {
                string aor = "";
                long at = 0;
                Fields(r, (n, s) => n switch
                {
                    1 => Set(ref aor, s.ReadString()),
                    2 => Set(ref at, s.ReadInt64()),
                    _ => false,
                });
                return new UserDeprovisioned(aor, FromMs(at));
            }

            case CredentialsSetManifest:
            {
                var list = new List<Ha1Entry>();
                long at = 0;
                Fields(r, (n, s) => n switch
                {
                    1 => Add(list, ReadMsg(s, ReadHa1)),
                    2 => Set(ref at, s.ReadInt64()),
                    _ => false,
                });
                return new CredentialsSet(list, FromMs(at));
            }

            case BindingAddedManifest:
            {
                Binding? b = null;
                Fields(r, (n, s) => n == 1 && Set(ref b, ReadMsg(s, ReadBinding)));
                return new BindingAdded(b ?? throw Missing(manifest));
            }

            case BindingRefreshedManifest:
            {
                Binding? b = null;
                var key = "";
                Fields(r, (n, s) => n switch
                {
                    1 => Set(ref key, s.ReadString()),
                    2 => Set(ref b, ReadMsg(s, ReadBinding)),
                    _ => false,
                });
                return new BindingRefreshed(key, b ?? throw Missing(manifest));
            }

            case BindingRemovedManifest:
            {
                var key = "";
                var reason = 0;
                long at = 0;
                Fields(r, (n, s) => n switch
                {
                    1 => Set(ref key, s.ReadString()),
                    2 => Set(ref reason, s.ReadInt32()),
                    3 => Set(ref at, s.ReadInt64()),
                    _ => false,
                });
                return new BindingRemoved(key, (BindingRemovalReason)reason, FromMs(at));
            }

            case BindingExpiredManifest:
            {
                var key = "";
                long at = 0;
                Fields(r, (n, s) => n switch
                {
                    1 => Set(ref key, s.ReadString()),
                    2 => Set(ref at, s.ReadInt64()),
                    _ => false,
                });
                return new BindingExpired(key, FromMs(at));
            }

            case SnapshotManifest:
            {
                string aor = "";
                string? user = null, realm = null;
                var provisioned = false;
                var creds = new List<Ha1Entry>();
                var bindings = new List<Binding>();
                Fields(r, (n, s) => n switch
                {
                    1 => Set(ref aor, s.ReadString()),
                    2 => Set(ref provisioned, s.ReadBool()),
                    3 => Set(ref user, s.ReadString()),
                    4 => Set(ref realm, s.ReadString()),
                    5 => Add(creds, ReadMsg(s, ReadHa1)),
                    6 => Add(bindings, ReadMsg(s, ReadBinding)),
                    _ => false,
                });
                return new UserSnapshot(aor, provisioned, user, realm, creds, bindings);
            }

            case RegisterManifest:
            {
                string aor = "", ruri = "", callId = "", address = "", transport = "";
                string? ua = null, authorization = null;
                bool star = false, outbound = false;
                uint? headerExpires = null;
                long cseq = 0;
                var contacts = new List<ContactRequest>();
                var path = new List<string>();
                Fields(r, (n, s) => n switch
                {
                    1 => Set(ref aor, s.ReadString()),
                    2 => Set(ref ruri, s.ReadString()),
                    3 => Set(ref star, s.ReadBool()),
                    4 => Add(contacts, ReadMsg(s, ReadContact)),
                    5 => Set(ref headerExpires, s.ReadUInt32()),
                    6 => Set(ref callId, s.ReadString()),
                    7 => Set(ref cseq, s.ReadInt64()),
                    8 => Add(path, s.ReadString()),
                    9 => Set(ref address, s.ReadString()),
                    10 => Set(ref transport, s.ReadString()),
                    11 => Set(ref ua, s.ReadString()),
                    12 => Set(ref authorization, s.ReadString()),
                    13 => Set(ref outbound, s.ReadBool()),
                    _ => false,
                });
                return new RegisterBindings(aor, ruri, star, contacts, headerExpires, callId, cseq, path, new BindingSource(address, transport),
                    ua, authorization, outbound);
            }

            case RegisterReplyManifest:
            {
                RegisterRejection? rejection = null;
                var views = new List<BindingView>();
                uint min = 0;
                var outbound = false;
                Fields(r, (n, s) => n switch
                {
                    1 => Set(ref rejection, (RegisterRejection)(s.ReadInt32() - 1)),
                    2 => Add(views, ReadMsg(s, ReadView)),
                    3 => Set(ref min, s.ReadUInt32()),
                    4 => Set(ref outbound, s.ReadBool()),
                    _ => false,
                });
                return new RegisterReply(rejection, views, min, outbound);
            }

            case ProvisionManifest:
            {
                string aor = "", user = "", realm = "";
                var creds = new List<Ha1Entry>();
                Fields(r, (n, s) => n switch
                {
                    1 => Set(ref aor, s.ReadString()),
                    2 => Set(ref user, s.ReadString()),
                    3 => Set(ref realm, s.ReadString()),
                    4 => Add(creds, ReadMsg(s, ReadHa1)),
                    _ => false,
                });
                return new ProvisionUser(aor, user, realm, creds);
            }

            case DeprovisionManifest:
                return new DeprovisionUser(ReadAor(r));
            case GetUserManifest:
                return new GetUser(ReadAor(r));
            case GetDigestCredentialsManifest:
                return new GetDigestCredentials(ReadAor(r));
            case DigestCredentialsResultManifest:
            {
                var aor = "";
                var provisioned = false;
                string? user = null, realm = null;
                var creds = new List<Ha1Entry>();
                Fields(r, (n, s) => n switch
                {
                    1 => Set(ref aor, s.ReadString()),
                    2 => Set(ref provisioned, s.ReadBool()),
                    3 => Set(ref user, s.ReadString()),
                    4 => Set(ref realm, s.ReadString()),
                    5 => Add(creds, ReadMsg(s, ReadHa1)),
                    _ => false,
                });
                return new DigestCredentialsResult(aor, provisioned, user, realm, creds);
            }

            case UnavailableManifest:
                return new RegistrarUnavailable(ReadAor(r));
            case StopManifest:
                return StopUser.Instance;
            case UserResultManifest:
            {
                var aor = "";
                var provisioned = false;
                var algorithms = new List<DigestAlgorithm>();
                var views = new List<BindingView>();
                var failures = 0;
                Fields(r, (n, s) => n switch
                {
                    1 => Set(ref aor, s.ReadString()),
                    2 => Set(ref provisioned, s.ReadBool()),
                    3 => Add(algorithms, (DigestAlgorithm)s.ReadInt32()),
                    4 => Add(views, ReadMsg(s, ReadView)),
                    5 => Set(ref failures, s.ReadInt32()),
                    _ => false,
                });
                return new UserResult(aor, provisioned, algorithms, views, failures);
            }

            case ChangeResultManifest:
            {
                var aor = "";
                var outcome = 0;
                Fields(r, (n, s) => n switch
                {
                    1 => Set(ref aor, s.ReadString()),
                    2 => Set(ref outcome, s.ReadInt32()),
                    _ => false,
                });
                return new UserChangeResult(aor, (UserChangeOutcome)outcome);
            }

            default:
                throw new SerializationException($"registrar wire does not know manifest '{manifest}'");
        }
    }

    // Binding: 1 uri, 2 params, 3 q (sint32+1 presence via field), 4 expires_at ms, 5 call_id, 6 cseq, 7 instance,
    // 8 reg_id, 9 path (repeated), 10 source address, 11 transport, 12 user_agent, 13 registered_at ms.
    private static void WriteBinding(CodedOutputStream w, Binding b)
    {
        Str(w, 1, b.ContactUri); Str(w, 2, b.Parameters);
        if (b.Q is { } q)
        {
            Int(w, 3, q);
        }

        Time(w, 4, b.ExpiresAt); Str(w, 5, b.CallId); Long(w, 6, b.CSeq); Str(w, 7, b.Instance);
        if (b.RegId is { } id)
        {
            Int(w, 8, id);
        }

        foreach (var p in b.Path)
        {
            Str(w, 9, p);
        }

        Str(w, 10, b.Source.Address); Str(w, 11, b.Source.Transport); Str(w, 12, b.UserAgent); Time(w, 13, b.RegisteredAt);
    }

    private static Binding ReadBinding(CodedInputStream r)
    {
        string uri = "", parameters = "", callId = "", address = "", transport = "";
        string? instance = null, ua = null;
        int? q = null, regId = null;
        long expires = 0, cseq = 0, registered = 0;
        var path = new List<string>();
        Fields(r, (n, s) => n switch
        {
            1 => Set(ref uri, s.ReadString()),
            2 => Set(ref parameters, s.ReadString()),
            3 => Set(ref q, s.ReadInt32()),
            4 => Set(ref expires, s.ReadInt64()),
            5 => Set(ref callId, s.ReadString()),
            6 => Set(ref cseq, s.ReadInt64()),
            7 => Set(ref instance, s.ReadString()),
            8 => Set(ref regId, s.ReadInt32()),
            9 => Add(path, s.ReadString()),
            10 => Set(ref address, s.ReadString()),
            11 => Set(ref transport, s.ReadString()),
            12 => Set(ref ua, s.ReadString()),
            13 => Set(ref registered, s.ReadInt64()),
            _ => false,
        });
        return new Binding(uri, parameters, q, FromMs(expires), callId, cseq, instance, regId, path, new BindingSource(address, transport), ua,
            FromMs(registered));
    }

    private static void WriteContact(CodedOutputStream w, ContactRequest c)
    {
        Str(w, 1, c.Uri); Str(w, 2, c.Parameters);
        if (c.Expires is { } e)
        {
            w.WriteTag(3, WireFormat.WireType.Varint); w.WriteUInt32(e);
        }

        if (c.Q is { } q)
        {
            Int(w, 4, q);
        }

        Str(w, 5, c.Instance);
        if (c.RegId is { } id)
        {
            Int(w, 6, id);
        }
    }

    private static ContactRequest ReadContact(CodedInputStream r)
    {
        string uri = "", parameters = "";
        string? instance = null;
        uint? expires = null;
        int? q = null, regId = null;
        Fields(r, (n, s) => n switch
        {
            1 => Set(ref uri, s.ReadString()),
            2 => Set(ref parameters, s.ReadString()),
            3 => Set(ref expires, s.ReadUInt32()),
            4 => Set(ref q, s.ReadInt32()),
            5 => Set(ref instance, s.ReadString()),
            6 => Set(ref regId, s.ReadInt32()),
            _ => false,
        });
        return new ContactRequest(uri, parameters, expires, q, instance, regId);
    }

    private static void WriteView(CodedOutputStream w, BindingView v)
    {
        Msg(w, 1, v.Binding, WriteBinding);
        Long(w, 2, v.RemainingSeconds);
    }

    private static BindingView ReadView(CodedInputStream r)
    {
        Binding? b = null;
        long remaining = 0;
        Fields(r, (n, s) => n switch
        {
            1 => Set(ref b, ReadMsg(s, ReadBinding)),
            2 => Set(ref remaining, s.ReadInt64()),
            _ => false,
        });
        return new BindingView(b ?? throw Missing("binding view"), remaining);
    }

    private static void WriteHa1(CodedOutputStream w, Ha1Entry e)
    {
        Int(w, 1, (int)e.Algorithm);
        Str(w, 2, e.Ha1);
    }

    private static Ha1Entry ReadHa1(CodedInputStream r)
    {
        var algorithm = 0;
        var ha1 = "";
        Fields(r, (n, s) => n switch
        {
            1 => Set(ref algorithm, s.ReadInt32()),
            2 => Set(ref ha1, s.ReadString()),
            _ => false,
        });
        return new Ha1Entry((DigestAlgorithm)algorithm, ha1);
    }

    private static string ReadAor(CodedInputStream r)
    {
        var aor = "";
        Fields(r, (n, s) => n == 1 && Set(ref aor, s.ReadString()));
        return aor;
    }

    private delegate bool FieldReader(int field, CodedInputStream input);

    private static void Fields(CodedInputStream r, FieldReader read)
    {
        uint tag;
        while ((tag = r.ReadTag()) != 0)
        {
            if (!read(WireFormat.GetTagFieldNumber(tag), r))
            {
                r.SkipLastField();
            }
        }
    }

    private static T ReadMsg<T>(CodedInputStream r, Func<CodedInputStream, T> read)
    {
        var bytes = r.ReadBytes().ToByteArray();
        return read(new CodedInputStream(bytes));
    }

    private static void Msg<T>(CodedOutputStream w, int field, T value, Action<CodedOutputStream, T> write) =>
        Serialization.ProtoWriter.Nested(w, field, value, write);

    private static bool Set<T>(ref T target, T value)
    {
        target = value;
        return true;
    }

    private static bool Add<T>(List<T> list, T value)
    {
        list.Add(value);
        return true;
    }

    private static void Str(CodedOutputStream w, int field, string? value)
    {
        if (value is null)
        {
            return;
        }

        w.WriteTag(field, WireFormat.WireType.LengthDelimited);
        w.WriteString(value);
    }

    private static void Int(CodedOutputStream w, int field, int value)
    {
        w.WriteTag(field, WireFormat.WireType.Varint);
        w.WriteInt32(value);
    }

    private static void Long(CodedOutputStream w, int field, long value)
    {
        w.WriteTag(field, WireFormat.WireType.Varint);
        w.WriteInt64(value);
    }

    private static void Bool(CodedOutputStream w, int field, bool value)
    {
        if (value)
        {
            w.WriteTag(field, WireFormat.WireType.Varint);
            w.WriteBool(true);
        }
    }

    private static void Time(CodedOutputStream w, int field, DateTimeOffset value) => Long(w, field, value.ToUnixTimeMilliseconds());

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static SerializationException Missing(string what) => new($"registrar wire: {what} lacks a required field");
}
