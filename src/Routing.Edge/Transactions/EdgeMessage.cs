using Routing.Sip.Message;

namespace Routing.Edge.Transactions;

/// <summary>
/// What the edge's transaction table keeps per message: a received message (parsed, pooled; released as soon as the
/// transaction no longer needs it) or the bytes of a message the edge sends (kept for retransmission).
/// </summary>
internal sealed class EdgeMessage
{
    private EdgeMessage(SipMessage? parsed, byte[]? wire)
    {
        Parsed = parsed;
        Wire = wire;
    }

    /// <summary>The parsed message; null once released or for outgoing bytes.</summary>
    public SipMessage? Parsed { get; private set; }

    /// <summary>Serialised bytes to send; null for a received message.</summary>
    public byte[]? Wire { get; }

    public static EdgeMessage Received(SipMessage message) => new(message, null);

    public static EdgeMessage Outgoing(byte[] wire) => new(null, wire);

    /// <summary>An outgoing message that also keeps its parse (client INVITEs: needed for ACK and CANCEL).</summary>
    public static EdgeMessage Outgoing(byte[] wire, SipMessage parsed) => new(parsed, wire);

    /// <summary>Returns the parsed message to its pool (idempotent).</summary>
    public void Release()
    {
        var m = Parsed;
        Parsed = null;
        m?.Dispose();
    }
}

/// <summary>Method tokens as strings without allocating for the known methods (transaction keys compare them).</summary>
internal static class MethodNames
{
    private static readonly string[] Known = BuildKnown();

    public static string Of(SipMessage message) =>
        message.Method == SipMethod.Extension ? System.Text.Encoding.ASCII.GetString(message.MethodBytes) : Known[(int)message.Method];

    public static string Of(SipMethod method) => Known[(int)method];

    /// <summary>The CSeq method as a string (shared instances for the known methods).</summary>
    public static string CSeqOf(SipMessage message)
    {
        var m = SipMethods.Parse(message.CSeqMethod);
        return m == SipMethod.Extension ? System.Text.Encoding.ASCII.GetString(message.CSeqMethod) : Known[(int)m];
    }

    private static string[] BuildKnown()
    {
        var values = Enum.GetValues<SipMethod>();
        var names = new string[values.Length];
        foreach (var m in values)
        {
            names[(int)m] = System.Text.Encoding.ASCII.GetString(m.ToBytes());
        }

        return names;
    }
}
