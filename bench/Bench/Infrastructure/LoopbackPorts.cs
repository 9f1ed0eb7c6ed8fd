using System.Net;
using System.Net.Sockets;

namespace Atelier.Bench.Infrastructure;

/// <summary>Free TCP ports on the loopback interface, for the processes a benchmark starts.</summary>
internal static class LoopbackPorts
{
    /// <summary>Distinct free loopback ports: all listeners are held open until every port is chosen.</summary>
    public static int[] Free(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener?.Stop();
                listener?.Dispose();
            }
        }
    }

    /// <summary>One free loopback port.</summary>
    public static int Free() => Free(1)[0];
}
