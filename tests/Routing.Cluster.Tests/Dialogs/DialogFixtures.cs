using Routing.Cluster.Dialogs;

namespace Routing.Cluster.Tests.Dialogs;

internal static class DialogFixtures
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public static DialogParty Alice(string source = "10.0.0.1:5060", string contact = "sip:alice@10.0.0.1:5060") =>
        new("sip:alice@example.com", contact, source, "udp", null, "<urn:uuid:a>", "baresip", null);

    public static DialogParty Bob(string source = "10.0.0.2:5060") =>
        new("sip:bob@example.com", "sip:bob@10.0.0.2:5060", source, "udp", "tok-b", "<urn:uuid:b>", "linphone", null);

    public static RequestKey Key(long cseq, string method, string branch = "z9hG4bK1") => new(cseq, method, branch);

    public static StartDialog Start(string callId = "c1") =>
        new(callId, Key(1, "INVITE"), "ftag", Alice(), "sip:bob@example.com", "sip:bob@example.com", null);

    /// <summary>Folds decisions for the commands, as the entity does.</summary>
    public static DialogState Run(DialogState state, DateTimeOffset now, params IDialogCommand[] commands)
    {
        foreach (var c in commands)
        {
            foreach (var e in DialogDecider.Decide(state, c, now).Events)
            {
                state = state.Evolve(e);
            }
        }

        return state;
    }

    public static DialogState Confirmed(uint? sessionExpires = null) => Run(DialogState.Empty("c1"), T0,
        Start(),
        new RecordBranch("c1", 0, "sip:bob@10.0.0.2:5060", "<urn:uuid:b>"),
        new RecordProvisional("c1", 0, 180, "ttag"),
        new RecordAnswer("c1", 0, "ttag", Bob(), sessionExpires));
}
