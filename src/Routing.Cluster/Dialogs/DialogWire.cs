using System.Runtime.Serialization;
using Google.Protobuf;

namespace Routing.Cluster.Dialogs;

/// <summary>
/// Protocol Buffers wire format of every dialog message and event, written by hand (rules in
/// <see cref="Serialization.RoutingSerializer"/>). Manifests start with "DG" and are never reused; field numbers are
/// the contract; unknown fields are skipped. Times are Unix milliseconds (UTC); absent optionals are not written.
/// </summary>
internal static class DialogWire
{
    // Events (persisted: readable forever).
    internal const string StartedManifest = "DGS1";
    internal const string BranchManifest = "DGB1";
    internal const string RingingManifest = "DGR1";
    internal const string AnsweredManifest = "DGA1";
    internal const string RefreshedManifest = "DGT1";
    internal const string SessionRefreshedManifest = "DGSR1";
    internal const string TerminatedManifest = "DGX1";
    internal const string FailedManifest = "DGF1";
    internal const string ExtraAnsweredManifest = "DGE1";
    internal const string ExtraEndedManifest = "DGEX1";

    // Messages.
    internal const string StartManifest = "DGCS1";
    internal const string RecordBranchManifest = "DGCB1";
    internal const string RecordProvisionalManifest = "DGCP1";
    internal const string RecordAnswerManifest = "DGCA1";
    internal const string RecordFailureManifest = "DGCF1";
    internal const string RouteManifest = "DGCR1";
    internal const string ReplaceManifest = "DGCT1";
    internal const string GetManifest = "DGCG1";
    internal const string StopManifest = "DGSTOP1";
    internal const string AckManifest = "DGK1";
    internal const string RouteReplyManifest = "DGRR1";
    internal const string ViewManifest = "DGV1";
    internal const string UnavailableManifest = "DGNA1";

    public static string? Manifest(object o) => o switch
    {
        DialogStarted => StartedManifest,
        BranchForked => BranchManifest,
        DialogRinging => RingingManifest,
        DialogAnswered => AnsweredManifest,
        TargetRefreshed => RefreshedManifest,
        SessionRefreshed => SessionRefreshedManifest,
        DialogTerminated => TerminatedManifest,
        DialogFailed => FailedManifest,
        ExtraDialogAnswered => ExtraAnsweredManifest,
        ExtraDialogEnded => ExtraEndedManifest,
        StartDialog => StartManifest,
        RecordBranch => RecordBranchManifest,
        RecordProvisional => RecordProvisionalManifest,
        RecordAnswer => RecordAnswerManifest,
        RecordFailure => RecordFailureManifest,
        RouteInDialog => RouteManifest,
        ReplaceTarget => ReplaceManifest,
        GetDialog => GetManifest,
        StopDialog => StopManifest,
        DialogAck => AckManifest,
        InDialogRoute => RouteReplyManifest,
        DialogView => ViewManifest,
        DialogUnavailable => UnavailableManifest,
        _ => null,
    };

    public static bool Knows(string manifest) => manifest.StartsWith("DG", StringComparison.Ordinal);

    public static byte[] Write(object o) => Serialization.ProtoWriter.ToArray(o, WriteBody);

    public static object Read(byte[] bytes, string manifest)
    {
        var f = Fields.Parse(bytes);
        return manifest switch
        {
            StartedManifest => new DialogStarted(f.Str(1), f.Key(2), f.Str(3), f.Party(4), f.Str(5), f.Str(6), f.U32(7), f.Time(8)),
            BranchManifest => new BranchForked(f.I32(1), f.Str(2), f.OptStr(3), f.Time(4)),
            RingingManifest => new DialogRinging(f.I32(1), f.I32(2), f.OptStr(3), f.Time(4)),
            AnsweredManifest => new DialogAnswered(f.I32(1), f.Str(2), f.Party(3), f.U32(4), f.Time(5)),
            RefreshedManifest => new TargetRefreshed((DialogSide)f.I32(1), f.Party(2), f.OptKey(3), f.U32(4), f.Time(5)),
            SessionRefreshedManifest => new SessionRefreshed((DialogSide)f.I32(1), f.Key(2), f.U32(3), f.Time(4)),
            TerminatedManifest => new DialogTerminated((DialogSide)f.I32(1), (TerminationReason)f.I32(2), f.I32(3), f.OptKey(4), f.Time(5)),
            FailedManifest => new DialogFailed(f.I32(1), (DialogSide)f.I32(2), f.Time(3)),
            ExtraAnsweredManifest => new ExtraDialogAnswered(f.I32(1), f.Str(2), f.Party(3), f.Time(4)),
            ExtraEndedManifest => new ExtraDialogEnded(f.Str(1), (DialogSide)f.I32(2), f.Key(3), f.Time(4)),
            StartManifest => new StartDialog(f.Str(1), f.Key(2), f.Str(3), f.Party(4), f.Str(5), f.Str(6), f.U32(7), f.OptTime(8), f.Bool(9)),
            RecordBranchManifest => new RecordBranch(f.Str(1), f.I32(2), f.Str(3), f.OptStr(4), f.OptTime(5)),
            RecordProvisionalManifest => new RecordProvisional(f.Str(1), f.I32(2), f.I32(3), f.OptStr(4), f.OptTime(5)),
            RecordAnswerManifest => new RecordAnswer(f.Str(1), f.I32(2), f.Str(3), f.Party(4), f.U32(5), f.OptTime(6)),
            RecordFailureManifest => new RecordFailure(f.Str(1), f.I32(2), (DialogSide)f.I32(3), f.OptTime(4)),
            RouteManifest => new RouteInDialog(f.Str(1), f.Key(2), f.Str(3), f.Str(4), f.Party(5), f.Bool(6), f.U32(7), f.OptTime(8)),
            ReplaceManifest => new ReplaceTarget(f.Str(1), (DialogSide)f.I32(2), f.Party(3)),
            GetManifest => new GetDialog(f.Str(1)),
            StopManifest => StopDialog.Instance,
            AckManifest => new DialogAck(f.Str(1), f.Bool(2)),
            RouteReplyManifest => new InDialogRoute(f.Str(1), f.OptParty(2), (DialogSide)f.I32(3), f.Bool(4),
                f.Has(5) ? (InDialogRejection)f.I32(5) : null),
            ViewManifest => ReadView(f),
            UnavailableManifest => new DialogUnavailable(f.Str(1)),
            _ => throw new SerializationException($"DialogWire does not know manifest '{manifest}'"),
        };
    }

    private static DialogView ReadView(Fields f)
    {
        var history = new List<IDialogEvent>();
        foreach (var item in f.All(6))
        {
            var inner = Fields.Parse(item.ToByteArray());
            history.Add((IDialogEvent)Read(inner.Bytes(2).ToByteArray(), inner.Str(1)));
        }

        return new DialogView(f.Str(1), (DialogPhase)f.I32(2), f.OptParty(3), f.OptParty(4), f.OptStr(5), history);
    }

    private static void WriteBody(CodedOutputStream w, object o)
    {
        switch (o)
        {
            case DialogStarted e:
                Str(w, 1, e.CallId); Key(w, 2, e.Key); Str(w, 3, e.FromTag); Party(w, 4, e.Caller); Str(w, 5, e.CalleeAor);
                Str(w, 6, e.RequestUri); U32(w, 7, e.SessionExpires); Time(w, 8, e.At);
                break;
            case BranchForked e:
                I32(w, 1, e.Branch); Str(w, 2, e.Contact); Str(w, 3, e.Instance); Time(w, 4, e.At);
                break;
            case DialogRinging e:
                I32(w, 1, e.Branch); I32(w, 2, e.Status); Str(w, 3, e.ToTag); Time(w, 4, e.At);
                break;
            case DialogAnswered e:
                I32(w, 1, e.Branch); Str(w, 2, e.ToTag); Party(w, 3, e.Callee); U32(w, 4, e.SessionExpires); Time(w, 5, e.At);
                break;
            case TargetRefreshed e:
                I32(w, 1, (int)e.Side); Party(w, 2, e.Party); Key(w, 3, e.Key); U32(w, 4, e.SessionExpires); Time(w, 5, e.At);
                break;
            case SessionRefreshed e:
                I32(w, 1, (int)e.Side); Key(w, 2, e.Key); U32(w, 3, e.SessionExpires); Time(w, 4, e.At);
                break;
            case DialogTerminated e:
                I32(w, 1, (int)e.By); I32(w, 2, (int)e.Reason); I32(w, 3, e.Status); Key(w, 4, e.Key); Time(w, 5, e.At);
                break;
            case DialogFailed e:
                I32(w, 1, e.Status); I32(w, 2, (int)e.By); Time(w, 3, e.At);
                break;
            case ExtraDialogAnswered e:
                I32(w, 1, e.Branch); Str(w, 2, e.ToTag); Party(w, 3, e.Callee); Time(w, 4, e.At);
                break;
            case ExtraDialogEnded e:
                Str(w, 1, e.ToTag); I32(w, 2, (int)e.By); Key(w, 3, e.Key); Time(w, 4, e.At);
                break;
            case StartDialog c:
                Str(w, 1, c.CallId); Key(w, 2, c.Key); Str(w, 3, c.FromTag); Party(w, 4, c.Caller); Str(w, 5, c.CalleeAor);
                Str(w, 6, c.RequestUri); U32(w, 7, c.SessionExpires); OptTime(w, 8, c.At); Bool(w, 9, c.Durable);
                break;
            case RecordBranch c:
                Str(w, 1, c.CallId); I32(w, 2, c.Branch); Str(w, 3, c.Contact); Str(w, 4, c.Instance); OptTime(w, 5, c.At);
                break;
            case RecordProvisional c:
                Str(w, 1, c.CallId); I32(w, 2, c.Branch); I32(w, 3, c.Status); Str(w, 4, c.ToTag); OptTime(w, 5, c.At);
                break;
            case RecordAnswer c:
                Str(w, 1, c.CallId); I32(w, 2, c.Branch); Str(w, 3, c.ToTag); Party(w, 4, c.Callee); U32(w, 5, c.SessionExpires); OptTime(w, 6, c.At);
                break;
            case RecordFailure c:
                Str(w, 1, c.CallId); I32(w, 2, c.Status); I32(w, 3, (int)c.By); OptTime(w, 4, c.At);
                break;
            case RouteInDialog c:
                Str(w, 1, c.CallId); Key(w, 2, c.Key); Str(w, 3, c.FromTag); Str(w, 4, c.ToTag); Party(w, 5, c.Sender);
                Bool(w, 6, c.TargetRefresh); U32(w, 7, c.SessionExpires); OptTime(w, 8, c.At);
                break;
            case ReplaceTarget c:
                Str(w, 1, c.CallId); I32(w, 2, (int)c.Side); Party(w, 3, c.Party);
                break;
            case GetDialog c:
                Str(w, 1, c.CallId);
                break;
            case StopDialog:
                break;
            case DialogAck r:
                Str(w, 1, r.CallId); Bool(w, 2, r.Duplicate);
                break;
            case InDialogRoute r:
                Str(w, 1, r.CallId); Party(w, 2, r.Target); I32(w, 3, (int)r.TargetSide); Bool(w, 4, r.Refreshed);
                if (r.Rejection is { } rejection)
                {
                    I32(w, 5, (int)rejection);
                }

                break;
            case DialogView v:
                Str(w, 1, v.CallId); I32(w, 2, (int)v.Phase); Party(w, 3, v.Caller); Party(w, 4, v.Callee); Str(w, 5, v.CalleeAor);
                foreach (var e in v.History)
                {
                    Nested(w, 6, inner =>
                    {
                        Str(inner, 1, Manifest(e)!);
                        inner.WriteTag(2, WireFormat.WireType.LengthDelimited);
                        inner.WriteBytes(UnsafeByteOperations.UnsafeWrap(Write(e)));
                    });
                }

                break;
            case DialogUnavailable r:
                Str(w, 1, r.CallId);
                break;
            default:
                throw new SerializationException($"DialogWire cannot serialize {o.GetType().FullName}");
        }
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

    private static void I32(CodedOutputStream w, int field, int value)
    {
        w.WriteTag(field, WireFormat.WireType.Varint);
        w.WriteInt32(value);
    }

    private static void U32(CodedOutputStream w, int field, uint? value)
    {
        if (value is { } v)
        {
            w.WriteTag(field, WireFormat.WireType.Varint);
            w.WriteUInt32(v);
        }
    }

    private static void Bool(CodedOutputStream w, int field, bool value)
    {
        w.WriteTag(field, WireFormat.WireType.Varint);
        w.WriteBool(value);
    }

    private static void Time(CodedOutputStream w, int field, DateTimeOffset at)
    {
        w.WriteTag(field, WireFormat.WireType.Varint);
        w.WriteInt64(at.ToUnixTimeMilliseconds());
    }

    private static void OptTime(CodedOutputStream w, int field, DateTimeOffset? at)
    {
        if (at is { } t)
        {
            Time(w, field, t);
        }
    }

    private static void Key(CodedOutputStream w, int field, RequestKey? key)
    {
        if (key is null)
        {
            return;
        }

        Nested(w, field, inner =>
        {
            inner.WriteTag(1, WireFormat.WireType.Varint);
            inner.WriteInt64(key.CSeq);
            Str(inner, 2, key.Method);
            Str(inner, 3, key.Branch);
        });
    }

    private static void Party(CodedOutputStream w, int field, DialogParty? p)
    {
        if (p is null)
        {
            return;
        }

        Nested(w, field, inner =>
        {
            Str(inner, 1, p.Aor); Str(inner, 2, p.Contact); Str(inner, 3, p.SourceAddress); Str(inner, 4, p.Transport);
            Str(inner, 5, p.FlowToken); Str(inner, 6, p.Instance); Str(inner, 7, p.UserAgent); Str(inner, 8, p.TlsFingerprint);
        });
    }

    private static void Nested(CodedOutputStream w, int field, Action<CodedOutputStream> body) =>
        Serialization.ProtoWriter.Nested(w, field, body, static (inner, write) => write(inner));

    /// <summary>The fields of one message by number (varints as longs, length-delimited as bytes).</summary>
    private sealed class Fields
    {
        private readonly Dictionary<int, List<object>> _values = [];

        public static Fields Parse(byte[] bytes)
        {
            var f = new Fields();
            var input = new CodedInputStream(bytes);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                var number = WireFormat.GetTagFieldNumber(tag);
                object value;
                switch (WireFormat.GetTagWireType(tag))
                {
                    case WireFormat.WireType.Varint:
                        value = input.ReadInt64();
                        break;
                    case WireFormat.WireType.LengthDelimited:
                        value = input.ReadBytes();
                        break;
                    default:
                        input.SkipLastField();
                        continue;
                }

                if (!f._values.TryGetValue(number, out var list))
                {
                    f._values[number] = list = [];
                }

                list.Add(value);
            }

            return f;
        }

        public bool Has(int field) => _values.ContainsKey(field);

        public List<ByteString> All(int field)
        {
            var result = new List<ByteString>();
            if (_values.TryGetValue(field, out var list))
            {
                foreach (var v in list)
                {
                    result.Add((ByteString)v);
                }
            }

            return result;
        }

        public ByteString Bytes(int field) => _values.TryGetValue(field, out var l) ? (ByteString)l[0] : ByteString.Empty;

        public string Str(int field) => OptStr(field) ?? string.Empty;

        public string? OptStr(int field) => _values.TryGetValue(field, out var l) ? ((ByteString)l[0]).ToStringUtf8() : null;

        public long I64(int field) => _values.TryGetValue(field, out var l) ? (long)l[0] : 0;

        public int I32(int field) => (int)I64(field);

        public uint? U32(int field) => Has(field) ? (uint)I64(field) : null;

        public bool Bool(int field) => I64(field) != 0;

        public DateTimeOffset Time(int field) => DateTimeOffset.FromUnixTimeMilliseconds(I64(field));

        public DateTimeOffset? OptTime(int field) => Has(field) ? Time(field) : null;

        public RequestKey Key(int field) => OptKey(field) ?? new RequestKey(0, string.Empty, string.Empty);

        public RequestKey? OptKey(int field)
        {
            if (!Has(field))
            {
                return null;
            }

            var k = Parse(Bytes(field).ToByteArray());
            return new RequestKey(k.I64(1), k.Str(2), k.Str(3));
        }

        public DialogParty Party(int field) => OptParty(field) ?? new DialogParty(string.Empty, string.Empty, string.Empty, string.Empty, null, null, null, null);

        public DialogParty? OptParty(int field)
        {
            if (!Has(field))
            {
                return null;
            }

            var p = Parse(Bytes(field).ToByteArray());
            return new DialogParty(p.Str(1), p.Str(2), p.Str(3), p.Str(4), p.OptStr(5), p.OptStr(6), p.OptStr(7), p.OptStr(8));
        }
    }
}
