using System.Globalization;
using System.Text.Json;

namespace Atelier.Bench.Infrastructure;

/// <summary>Cluster mode (<c>Silo:Mode = redis</c>): the settings that put a silo in a cluster, and waiting for it to form.</summary>
internal sealed partial class SiloProcess
{
    /// <summary>How long a silo may take to list the expected silos as active: 120 s.</summary>
    public static readonly TimeSpan ClusterTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The settings of a cluster-mode silo against <paramref name="redis"/> (Orleans Redis membership and the session
    /// store): its Orleans silo-to-silo port on a free loopback port, bound to and advertised as 127.0.0.1, and <c>Cluster:KeyPrefix</c> when <paramref name="keyPrefix"/> is
    /// given (else the product default). The caller may add more before <see cref="StartAsync"/>.
    /// </summary>
    public static Dictionary<string, string> ClusterSettings(RedisServer redis, string? keyPrefix)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ATELIER__Silo__Mode"] = "redis",
            ["ATELIER__Cluster__Redis"] = redis.ConnectionString,
            ["ATELIER__Cluster__SiloPort"] = LoopbackPorts.Free().ToString(CultureInfo.InvariantCulture),
            ["ATELIER__Cluster__SiloBindAddress"] = "127.0.0.1",
            ["ATELIER__Cluster__AdvertisedHost"] = "127.0.0.1",
        };
        if (keyPrefix is not null)
        {
            settings["ATELIER__Cluster__KeyPrefix"] = keyPrefix;
        }

        return settings;
    }

    /// <summary>
    /// Waits until every silo of <paramref name="silos"/> lists exactly their names as active in <c>GET /v1/cluster</c>
    /// (a lost silo must be unreachable or declared dead, a new one must have joined), each within <see cref="ClusterTimeout"/>.
    /// </summary>
    public static async Task WaitForClusterAsync(IReadOnlyCollection<SiloProcess> silos, CancellationToken cancellationToken)
    {
        var expected = silos.Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        foreach (var silo in silos)
        {
            await silo.WaitForActiveAsync(expected, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task WaitForActiveAsync(string[] expected, CancellationToken cancellationToken)
    {
        var last = "";
        return PollAsync(
            async token =>
            {
                using var response = await Http.GetAsync(new Uri("v1/cluster", UriKind.Relative), token).ConfigureAwait(false);
                last = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    return false;
                }

                using var json = JsonDocument.Parse(last);
                return json.RootElement.GetProperty("silos").EnumerateArray()
                    .Where(s => s.GetProperty("status").GetString() == "active")
                    .Select(s => s.GetProperty("name").GetString()!)
                    .Order(StringComparer.Ordinal)
                    .SequenceEqual(expected);
            },
            ClusterTimeout,
            () => $"listing [{string.Join(", ", expected)}] as active (last answer: {last})",
            cancellationToken);
    }
}
