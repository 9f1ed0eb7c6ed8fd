namespace Atelier.Runtime;

/// <summary>
/// Resource-aware placement for device-bound work. Candidates are the silos where the requested model
/// (<see cref="PlacementRequest.Model"/>) is resident and that still have free device memory; if there are none,
/// every active silo. Among candidates it uses the power of two choices: sample two at random and take the one with
/// more free device bytes, then the shorter queue, then fewer activations. Sampling two instead of scanning all
/// keeps a burst of placements made from one stale load view from piling onto the single best silo.
/// </summary>
public sealed class ResourceAwarePlacementDirector : IPlacementDirector
{
    private readonly Random _random;

    /// <summary>Creates the director with the shared random source.</summary>
    public ResourceAwarePlacementDirector()
        : this(Random.Shared)
    {
    }

    internal ResourceAwarePlacementDirector(Random random) => _random = random;

    /// <inheritdoc />
    public SiloAddress Place(PlacementRequest request, IReadOnlyList<SiloLoad> silos)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(silos);
        IReadOnlyList<SiloLoad> candidates = silos;
        if (request.Model is { } model)
        {
            var resident = new List<SiloLoad>(silos.Count);
            foreach (var silo in silos)
            {
                if (silo.ResidentModels.Contains(model, StringComparer.Ordinal) && HasRoom(silo))
                {
                    resident.Add(silo);
                }
            }

            if (resident.Count > 0)
            {
                candidates = resident;
            }
        }

        if (candidates.Count == 1)
        {
            return candidates[0].Silo;
        }

        var first = _random.Next(candidates.Count);
        var second = _random.Next(candidates.Count - 1);
        if (second >= first)
        {
            second++;
        }

        return Better(candidates[first], candidates[second]).Silo;
    }

    private static bool HasRoom(SiloLoad silo) => silo.DeviceBytesBudget == 0 || silo.FreeDeviceBytes > 0;

    private static SiloLoad Better(SiloLoad a, SiloLoad b)
    {
        if (a.FreeDeviceBytes != b.FreeDeviceBytes)
        {
            return a.FreeDeviceBytes > b.FreeDeviceBytes ? a : b;
        }

        if (a.QueueLength != b.QueueLength)
        {
            return a.QueueLength < b.QueueLength ? a : b;
        }

        return a.Activations <= b.Activations ? a : b;
    }
}
