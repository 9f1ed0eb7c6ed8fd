using Orleans.Runtime.Placement;
using Microsoft.Extensions.Options;

namespace Atelier.Grains.Placement;

/// <summary>
/// Places a new session (Orleans runs this on the calling silo, and again for a migration). Candidates are the
/// compatible silos where the session's segmenter (<see cref="CallContext.Model"/>) is resident and that still have
/// room on the device (at least <see cref="PlacementOptions.MinFreeDeviceBytes"/> free, or no budget reported); if
/// there are none, every compatible silo. Among candidates it uses the power of two choices: sample two at random and
/// take the one with more free device bytes, then the shorter queue, then fewer sessions. Sampling two instead of
/// scanning all keeps a burst of placements made from one cached view (<see cref="DeviceFigures"/>, refreshed every
/// second) from piling onto the single best silo. Orleans' placement hint, when set and compatible, wins. A silo that is
/// shutting down never places on itself: that is how the drain's migrations find a surviving silo. A silo whose figures
/// could not be read at the last refresh (killed, not yet declared dead) is avoided while another one is left.
/// </summary>
internal sealed class SessionPlacementDirector(DeviceFigures figures, IOptions<PlacementOptions> options) : IPlacementDirector
{
    private readonly long _minFreeDeviceBytes = options.Value.MinFreeDeviceBytes;

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (context.LocalSiloStatus != SiloStatus.Active && silos.Length > 1)
        {
            // A stopping silo places its own sessions' migrations (the drain): never back onto itself.
            silos = Array.FindAll(silos, s => !s.Equals(context.LocalSilo));
        }

        if (Array.FindAll(silos, s => !figures.IsUnreachable(s)) is { Length: > 0 } reachable)
        {
            silos = reachable; // a silo that stopped answering is still "active" until it is declared dead
        }

        if (IPlacementDirector.GetPlacementHint(target.RequestContextData, silos) is { } hint)
        {
            return Task.FromResult(hint);
        }

        var model = target.RequestContextData?.GetValueOrDefault(CallContext.Model) as string;
        var loads = new SiloLoad[silos.Length];
        for (var i = 0; i < silos.Length; i++)
        {
            loads[i] = SiloLoad.From(silos[i], figures.Get(silos[i]));
        }

        return Task.FromResult(Place(model, loads, _minFreeDeviceBytes, Random.Shared));
    }

    /// <summary>The policy itself, on plain figures (unit-tested with a seeded random source).</summary>
    internal static SiloAddress Place(string? model, IReadOnlyList<SiloLoad> silos, long minFreeDeviceBytes, Random random)
    {
        if (silos.Count == 0)
        {
            throw new OrleansException("No active silo can host a session.");
        }

        IReadOnlyList<SiloLoad> candidates = silos;
        if (model is not null)
        {
            var resident = new List<SiloLoad>(silos.Count);
            foreach (var silo in silos)
            {
                if (silo.ResidentModels.Contains(model, StringComparer.Ordinal) && HasRoom(silo, minFreeDeviceBytes))
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

        var first = random.Next(candidates.Count);
        var second = random.Next(candidates.Count - 1);
        if (second >= first)
        {
            second++;
        }

        return Better(candidates[first], candidates[second]).Silo;
    }

    /// <summary>
    /// Room for one more session. "Any free byte" is not room: a silo's memory manager makes space for a new session by
    /// demoting older sessions' cached tensors, so a busy silo sits just under its budget and would attract every new
    /// session of its resident model forever, each one evicting another.
    /// </summary>
    private static bool HasRoom(SiloLoad silo, long minFreeDeviceBytes) =>
        silo.DeviceBytesBudget == 0 || (silo.FreeDeviceBytes > 0 && silo.FreeDeviceBytes >= minFreeDeviceBytes);

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

        return a.Sessions <= b.Sessions ? a : b;
    }
}

/// <summary>One silo's figures as placement sees them; a silo not heard from yet has no budget and no resident model.</summary>
internal readonly record struct SiloLoad(SiloAddress Silo, long DeviceBytesBudget, long DeviceBytesUsed, int QueueLength, int Sessions, IReadOnlyList<string> ResidentModels)
{
    public long FreeDeviceBytes => Math.Max(0, DeviceBytesBudget - DeviceBytesUsed);

    public static SiloLoad From(SiloAddress silo, SiloStats? stats) => stats is null
        ? new(silo, 0, 0, 0, 0, [])
        : new(silo, stats.DeviceBytesBudget, stats.DeviceBytesUsed, stats.QueueLength, stats.Sessions, stats.ResidentModels);
}
