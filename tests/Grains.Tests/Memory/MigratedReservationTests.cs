using Atelier.Grains.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atelier.Grains.Tests.Memory;

/// <summary><see cref="DeviceMemoryManager.TryReserveMigrated"/>: device first, then the host tier, else nothing — never a throw.</summary>
public sealed class MigratedReservationTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void Migrated_tensor_goes_on_the_device_when_it_fits_after_demoting_the_least_recently_used()
    {
        var manager = Create(device: 8 * MiB, host: 8 * MiB);
        var reclaimer = new Reclaimer();
        using var model = manager.Reserve("model", LeaseKind.Model, 2 * MiB, reclaimer);
        using var old = manager.Reserve("s1/embedding", LeaseKind.SessionTensor, 4 * MiB, reclaimer);

        using var migrated = manager.TryReserveMigrated("s2/embedding", 4 * MiB, reclaimer);

        Assert.NotNull(migrated);
        Assert.Equal((MemoryTier.Device, LeaseKind.SessionTensor), (migrated.Tier, migrated.Kind));
        Assert.Equal(MemoryTier.Host, old.Tier);
        Assert.Equal((6 * MiB, 4 * MiB), (manager.DeviceBytesUsed, manager.HostBytesUsed));
    }

    [Fact]
    public void Migrated_tensor_lands_on_the_host_tier_when_the_device_holds_only_pinned_models()
    {
        var manager = Create(device: 4 * MiB, host: 8 * MiB);
        var reclaimer = new Reclaimer();
        using var model = manager.Reserve("model", LeaseKind.Model, 4 * MiB, reclaimer, pinned: true);

        using var migrated = manager.TryReserveMigrated("s1/embedding", 3 * MiB, reclaimer);

        Assert.NotNull(migrated);
        Assert.Equal(MemoryTier.Host, migrated.Tier);
        Assert.Equal((4 * MiB, 3 * MiB), (manager.DeviceBytesUsed, manager.HostBytesUsed));
        Assert.Empty(reclaimer.Events);
        migrated.Dispose();
        Assert.Equal(0, manager.HostBytesUsed);
    }

    [Fact]
    public void Migrated_tensor_gets_no_lease_and_no_exception_when_neither_budget_has_room()
    {
        var manager = Create(device: 4 * MiB, host: 2 * MiB);
        var reclaimer = new Reclaimer();
        using var model = manager.Reserve("model", LeaseKind.Model, 4 * MiB, reclaimer, pinned: true);

        var migrated = manager.TryReserveMigrated("s1/embedding", 3 * MiB, reclaimer);

        Assert.Null(migrated);
        Assert.Equal((4 * MiB, 0L), (manager.DeviceBytesUsed, manager.HostBytesUsed));
        Assert.Equal(0, manager.Counters.Exhausted);
        Assert.Single(manager.Snapshot());
    }

    private static DeviceMemoryManager Create(long device, long host) =>
        new(Options.Create(new DeviceMemoryOptions { MemoryBudgetBytes = device, HostBudgetBytes = host }), NullLogger<DeviceMemoryManager>.Instance);

    private sealed class Reclaimer : IMemoryReclaimer
    {
        public List<string> Events { get; } = [];

        public bool Demote(MemoryLease lease)
        {
            Events.Add("demote " + lease.Owner);
            return true;
        }

        public void Drop(MemoryLease lease) => Events.Add("drop " + lease.Owner);
    }
}
