using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Routing.Sip.Transport;

/// <summary>Why a flow token was refused.</summary>
public enum FlowTokenRejection
{
    None = 0,
    /// <summary>Not base64url, too short or too long, or the fields do not decode.</summary>
    Malformed,
    /// <summary>The HMAC does not match: forged or altered (RFC 5626 §5.2 asks for integrity protection).</summary>
    BadSignature,
    /// <summary>The token is sound but names another edge node.</summary>
    OtherNode,
}

/// <summary>A decoded, verified flow token.</summary>
/// <param name="NodeId">The edge node that holds the flow.</param>
/// <param name="Flow">The flow.</param>
public readonly record struct FlowTokenContent(string NodeId, SipFlowAddress Flow);

/// <summary>
/// Flow tokens for Path and Record-Route (RFC 5626 §5.2, RFC 3327): the edge node id and the flow, protected with
/// HMAC-SHA256 under a cluster secret so that a forged or altered token is refused, and written as base64url so it
/// fits a SIP URI user part without escaping. Layout: version (1), transport (1), node id length (1), node id,
/// connection id (8), local address, remote address (family 1, address 4 or 16, port 2), then the first 16 bytes
/// of the HMAC (RFC 2104 §5 allows truncation to half the hash).
/// </summary>
public sealed class FlowTokenCodec
{
    private const byte Version = 1;
    private const int MacBytes = 16;
    private const int MaxNodeIdBytes = 64;

    private readonly byte[] _key;
    private readonly string _nodeId;
    private readonly byte[] _nodeIdBytes;

    /// <param name="clusterSecret">At least 16 bytes shared by every node of the cluster.</param>
    /// <param name="nodeId">This node's id (at most 64 ASCII bytes).</param>
    public FlowTokenCodec(ReadOnlySpan<byte> clusterSecret, string nodeId)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        if (clusterSecret.Length < 16)
        {
            throw new ArgumentException("The flow token secret needs at least 16 bytes.", nameof(clusterSecret));
        }

        _nodeIdBytes = Encoding.ASCII.GetBytes(nodeId);
        if (_nodeIdBytes.Length is 0 or > MaxNodeIdBytes)
        {
            throw new ArgumentException("The node id must have 1 to 64 ASCII characters.", nameof(nodeId));
        }

        _key = clusterSecret.ToArray();
        _nodeId = nodeId;
    }

    public string NodeId => _nodeId;

    /// <summary>The token for a flow of this node.</summary>
    public string Encode(in SipFlowAddress flow)
    {
        ArgumentNullException.ThrowIfNull(flow.Local);
        ArgumentNullException.ThrowIfNull(flow.Remote);
        Span<byte> buffer = stackalloc byte[3 + MaxNodeIdBytes + 8 + (2 * 19) + MacBytes];
        var n = 0;
        buffer[n++] = Version;
        buffer[n++] = (byte)flow.Transport;
        buffer[n++] = (byte)_nodeIdBytes.Length;
        _nodeIdBytes.CopyTo(buffer[n..]);
        n += _nodeIdBytes.Length;
        BinaryPrimitives.WriteInt64BigEndian(buffer[n..], flow.ConnectionId);
        n += 8;
        n += WriteEndPoint(flow.Local, buffer[n..]);
        n += WriteEndPoint(flow.Remote, buffer[n..]);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, buffer[..n], mac);
        mac[..MacBytes].CopyTo(buffer[n..]);
        n += MacBytes;
        return Base64UrlEncode(buffer[..n]);
    }

    /// <summary>Decodes and verifies a token; a token for another node is reported as <see cref="FlowTokenRejection.OtherNode"/> with its content.</summary>
    public FlowTokenRejection TryDecode(ReadOnlySpan<char> token, out FlowTokenContent content)
    {
        content = default;
        Span<byte> raw = stackalloc byte[3 + MaxNodeIdBytes + 8 + (2 * 19) + MacBytes];
        if (token.Length > 200 || !TryBase64UrlDecode(token, raw, out var length) || length < 3 + 1 + 8 + 14 + MacBytes)
        {
            return FlowTokenRejection.Malformed;
        }

        var signed = raw[..(length - MacBytes)];
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, signed, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..MacBytes], raw.Slice(length - MacBytes, MacBytes)))
        {
            return FlowTokenRejection.BadSignature;
        }

        if (signed[0] != Version || signed[1] > (byte)SipTransportKind.Tls)
        {
            return FlowTokenRejection.Malformed;
        }

        var transport = (SipTransportKind)signed[1];
        var idLength = signed[2];
        var n = 3;
        if (idLength is 0 or > MaxNodeIdBytes || signed.Length < n + idLength + 8)
        {
            return FlowTokenRejection.Malformed;
        }

        var nodeId = signed.Slice(n, idLength);
        n += idLength;
        var connectionId = BinaryPrimitives.ReadInt64BigEndian(signed[n..]);
        n += 8;
        if (!TryReadEndPoint(signed[n..], out var local, out var used))
        {
            return FlowTokenRejection.Malformed;
        }

        n += used;
        if (!TryReadEndPoint(signed[n..], out var remote, out used) || n + used != signed.Length)
        {
            return FlowTokenRejection.Malformed;
        }

        content = new FlowTokenContent(Encoding.ASCII.GetString(nodeId), new SipFlowAddress(transport, local, remote, connectionId));
        return nodeId.SequenceEqual(_nodeIdBytes) ? FlowTokenRejection.None : FlowTokenRejection.OtherNode;
    }

    private static int WriteEndPoint(IPEndPoint endPoint, Span<byte> destination)
    {
        var v6 = endPoint.AddressFamily == AddressFamily.InterNetworkV6;
        destination[0] = v6 ? (byte)6 : (byte)4;
        endPoint.Address.TryWriteBytes(destination[1..], out var written);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(1 + written)..], (ushort)endPoint.Port);
        return 1 + written + 2;
    }

    private static bool TryReadEndPoint(ReadOnlySpan<byte> source, out IPEndPoint endPoint, out int used)
    {
        endPoint = null!;
        used = 0;
        if (source.IsEmpty)
        {
            return false;
        }

        var size = source[0] switch { 4 => 4, 6 => 16, _ => 0 };
        if (size == 0 || source.Length < 1 + size + 2)
        {
            return false;
        }

        endPoint = new IPEndPoint(new IPAddress(source.Slice(1, size)), BinaryPrimitives.ReadUInt16BigEndian(source[(1 + size)..]));
        used = 1 + size + 2;
        return true;
    }

    private static string Base64UrlEncode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static bool TryBase64UrlDecode(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        // IsValid first: the decoder throws on characters outside the alphabet, and this is network input.
        if (!System.Buffers.Text.Base64Url.IsValid(text) || System.Buffers.Text.Base64Url.GetMaxDecodedLength(text.Length) > destination.Length)
        {
            return false;
        }

        return System.Buffers.Text.Base64Url.TryDecodeFromChars(text, destination, out written);
    }
}
