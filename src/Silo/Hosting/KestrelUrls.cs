using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Atelier.Silo.Hosting;

/// <summary>Code-defined Kestrel endpoints make Kestrel ignore <c>Urls</c>, so a host that adds one binds the public URLs too.</summary>
internal static class KestrelUrls
{
    public static void Listen(KestrelServerOptions kestrel, string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = BindingAddress.Parse(url);
            if (!string.Equals(address.Scheme, "http", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"With the gRPC port enabled the silo binds its public URLs itself and supports http only ('{url}'); configure Kestrel:Endpoints for https.");
            }

            if (string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.ListenLocalhost(address.Port);
            }
            else if (IPAddress.TryParse(address.Host, out var ip))
            {
                kestrel.Listen(ip, address.Port);
            }
            else
            {
                kestrel.ListenAnyIP(address.Port);
            }
        }
    }
}
