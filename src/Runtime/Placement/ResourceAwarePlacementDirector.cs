using Microsoft.Extensions.Options;

namespace Atelier.Runtime;

/// <summary>
/// Resource-aware placement for device-bound work. Candidates are the silos where the requested model
/// (<see cref="PlacementRequest.Model"/>) is resident and that still have room on the device (at least
/// <see cref="SiloRuntimeOptions.PlacementMinFreeDeviceBytes"/> free, or no budget reported); if there are none,
/// every active silo. Among candidates it uses the power of two choices: sample two at random and take the one with
/// more free device bytes, then the shorter queue, then fewer activations. Sampling two instead of scanning all
/// keeps a burst of placements made from one stale load view from piling onto the single best silo.
/// </summary>
public sealed class ResourceAwarePlacementDirector : IPlacementDirector
{
    private readonly Random _random;
    private readonly long _minFreeDeviceBytes;

    /// <summary>Creates the director with the shared random source and default options.</summary>
    public ResourceAwarePlacementDirector()
        : this(Random.Shared, SiloRuntimeOptions.DefaultPlacementMinFreeDeviceBytes)
    {
    }

    /// <summary>Creates the director with the shared random source and the silo's options.</summary>
    public ResourceAwarePlacementDirector(IOptions<SiloRuntimeOptions> options)
        : this(Random.Shared, (options ?? throw new ArgumentNullException(nameof(options))).Value.PlacementMinFreeDeviceBytes)
    {
    }

    internal ResourceAwarePlacementDirector(Random random, long minFreeDeviceBytes = SiloRuntimeOptions.DefaultPlacementMinFreeDeviceBytes)
    {
        _random = random;
        _minFreeDeviceBytes = minFreeDeviceBytes;
    }

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

    /// <summary>
    /// Room for one more activation. "Any free byte" is not room: a silo's memory manager makes space for a new session
    /// by demoting older sessions' cached tensors, so a busy silo sits just under its budget and would attract every
    /// new session of its resident model forever, each one evicting another.
    /// </summary>
    private bool HasRoom(SiloLoad silo) =>
        silo.DeviceBytesBudget == 0 || (silo.FreeDeviceBytes > 0 && silo.FreeDeviceBytes >= _minFreeDeviceBytes);

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
