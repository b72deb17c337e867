using System.Globalization;
using System.Text.Json;

namespace Routing.Cli.Commands.Dialogs;

/// <summary>Prints CDR rows (as the admin API returns them) as a table.</summary>
internal static class CdrTable
{
    public static void Write(TextWriter output, JsonElement rows, bool activeOnly)
    {
        var table = activeOnly
            ? new TextTable("CALL-ID", "CALLER", "CALLEE", "SOURCE", "SETUP", "ANSWERED", "DEVICE")
            : new TextTable("CALL-ID", "CALLER", "CALLEE", "SOURCE", "SETUP", "DURATION", "STATUS", "HUNG UP BY", "BRANCHES", "DEVICE");
        foreach (var r in rows.EnumerateArray())
        {
            var source = NodeReplies.Text(r, "sourceIp") + ":" + NodeReplies.Text(r, "sourcePort") + "/" + NodeReplies.Text(r, "transport");
            if (activeOnly)
            {
                table.Add(NodeReplies.Text(r, "callId"), NodeReplies.Text(r, "callerAor"), NodeReplies.Text(r, "calleeAor"), source,
                    NodeReplies.Text(r, "setupTime"), NodeReplies.Text(r, "answerTime"), NodeReplies.Text(r, "answeringDevice"));
                continue;
            }

            var duration = r.TryGetProperty("durationMs", out var d) && d.ValueKind == JsonValueKind.Number
                ? TimeSpan.FromMilliseconds(d.GetInt64()).ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture)
                : "-";
            table.Add(NodeReplies.Text(r, "callId"), NodeReplies.Text(r, "callerAor"), NodeReplies.Text(r, "calleeAor"), source,
                NodeReplies.Text(r, "setupTime"), duration, NodeReplies.Text(r, "finalStatus"), NodeReplies.Text(r, "hungUpBy"),
                NodeReplies.Text(r, "branchesTried"), NodeReplies.Text(r, "answeringDevice"));
        }

        table.Write(output);
    }
}
