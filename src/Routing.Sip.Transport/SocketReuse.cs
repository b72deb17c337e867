using System.Net.Sockets;

namespace Routing.Sip.Transport;

/// <summary>
/// SO_REUSEADDR without SO_REUSEPORT. .NET's <see cref="SocketOptionName.ReuseAddress"/> sets both on Unix, and
/// SO_REUSEPORT would let a second process listen on the same port unnoticed; plain SO_REUSEADDR only lets a restarted
/// node bind while its old connections sit in TIME_WAIT.
/// </summary>
public static class SocketReuse
{
    public static void AllowTimeWaitRebind(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (OperatingSystem.IsLinux())
        {
            // <sys/socket.h> on Linux: SOL_SOCKET = 1, SO_REUSEADDR = 2.
            socket.SetRawSocketOption(1, 2, BitConverter.GetBytes(1));
        }
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            // BSD: SOL_SOCKET = 0xffff, SO_REUSEADDR = 4.
            socket.SetRawSocketOption(0xffff, 4, BitConverter.GetBytes(1));
        }
    }

    /// <summary>SO_REUSEPORT: several sockets (processes) share one address; Linux balances among them by flow hash.</summary>
    public static void SharePort(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (OperatingSystem.IsLinux())
        {
            // <asm-generic/socket.h>: SOL_SOCKET = 1, SO_REUSEPORT = 15.
            socket.SetRawSocketOption(1, 15, BitConverter.GetBytes(1));
        }
        else if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            // BSD: SOL_SOCKET = 0xffff, SO_REUSEPORT = 0x200.
            socket.SetRawSocketOption(0xffff, 0x200, BitConverter.GetBytes(1));
        }
        else
        {
            throw new PlatformNotSupportedException("SO_REUSEPORT is available on Linux, macOS and FreeBSD only.");
        }
    }
}
