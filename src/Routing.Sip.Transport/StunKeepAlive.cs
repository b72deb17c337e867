using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Routing.Sip.Transport;

/// <summary>
/// STUN keep-alives on the SIP port (RFC 5626 §4.4.2, §8.4): a Binding request is recognised by its first two bits
/// being zero and the magic cookie (RFC 5389 §6), which no SIP message can start with, and is answered with a Binding
/// success response carrying XOR-MAPPED-ADDRESS (RFC 5389 §15.2) so the client learns whether its NAT binding changed.
/// </summary>
public static class StunKeepAlive
{
    private const uint MagicCookie = 0x2112A442;
    private const ushort BindingRequest = 0x0001;
    private const ushort BindingSuccess = 0x0101;
    private const ushort XorMappedAddress = 0x0020;
    private const int HeaderBytes = 20;

    /// <summary>Whether the datagram is a STUN message (any class): RFC 5389 §6 header with the magic cookie.</summary>
    public static bool IsStun(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= HeaderBytes
        && (datagram[0] & 0xC0) == 0
        && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == MagicCookie
        && (BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]) & 3) == 0
        && BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]) == datagram.Length - HeaderBytes;

    /// <summary>Whether the datagram is a STUN Binding request.</summary>
    public static bool IsBindingRequest(ReadOnlySpan<byte> datagram) =>
        IsStun(datagram) && BinaryPrimitives.ReadUInt16BigEndian(datagram) == BindingRequest;

    /// <summary>
    /// Writes the Binding success response to <paramref name="request"/> for a client seen at <paramref name="mapped"/>;
    /// returns the number of bytes written (32 for IPv4, 44 for IPv6).
    /// </summary>
    public static int WriteBindingSuccess(ReadOnlySpan<byte> request, IPEndPoint mapped, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(mapped);
        var v6 = mapped.AddressFamily == AddressFamily.InterNetworkV6;
        var addressBytes = v6 ? 16 : 4;
        var attributeBytes = 4 + 4 + addressBytes;
        var total = HeaderBytes + attributeBytes;
        BinaryPrimitives.WriteUInt16BigEndian(destination, BindingSuccess);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)attributeBytes);
        // Magic cookie and transaction id are echoed (RFC 5389 §7.3.1).
        request.Slice(4, 16).CopyTo(destination[4..]);
        var a = destination[HeaderBytes..];
        BinaryPrimitives.WriteUInt16BigEndian(a, XorMappedAddress);
        BinaryPrimitives.WriteUInt16BigEndian(a[2..], (ushort)(4 + addressBytes));
        a[4] = 0;
        a[5] = v6 ? (byte)2 : (byte)1;
        // RFC 5389 §15.2: the port is XORed with the cookie's top 16 bits, the address with cookie (and transaction id for IPv6).
        BinaryPrimitives.WriteUInt16BigEndian(a[6..], (ushort)(mapped.Port ^ (MagicCookie >> 16)));
        Span<byte> address = stackalloc byte[16];
        mapped.Address.TryWriteBytes(address, out _);
        for (var i = 0; i < addressBytes; i++)
        {
            a[8 + i] = (byte)(address[i] ^ request[4 + i]);
        }

        return total;
    }
}
