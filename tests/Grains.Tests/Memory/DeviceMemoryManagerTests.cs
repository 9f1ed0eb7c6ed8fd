using Atelier.Grains.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Atelier.Grains.Tests.Memory;

public sealed class DeviceMemoryManagerTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void Reservations_within_the_budget_are_accounted_and_released_back_to_zero()
    {
        var manager = Create(device: 10 * MiB, host: 0);
        var reclaimer = new RecordingReclaimer();

        using (manager.Reserve("model-a", LeaseKind.Model, 4 * MiB, reclaimer))
        using (manager.Reserve("s1/embedding", LeaseKind.SessionTensor, 4 * MiB, reclaimer))
        {
            Assert.Equal(8 * MiB, manager.DeviceBytesUsed);
        }

        Assert.Equal(0, manager.DeviceBytesUsed);
        Assert.Empty(reclaimer.Events);
    }

    [Fact]
    public void Least_recently_used_session_tensor_is_demoted_to_host_before_any_model_is_unloaded()
    {
        var manager = Create(device: 10 * MiB, host: 10 * MiB);
        var reclaimer = new RecordingReclaimer();
        using var model = manager.Reserve("model-a", LeaseKind.Model, 4 * MiB, reclaimer);
        using var oldest = manager.Reserve("s1/embedding", LeaseKind.SessionTensor, 3 * MiB, reclaimer);
        using var newer = manager.Reserve("s2/embedding", LeaseKind.SessionTensor, 3 * MiB, reclaimer);
        model.Use().Dispose(); // the model is now the most recently used

        using var third = manager.Reserve("s3/embedding", LeaseKind.SessionTensor, 3 * MiB, reclaimer);

        Assert.Equal(["demote s1/embedding"], reclaimer.Events);
        Assert.Equal(MemoryTier.Host, oldest.Tier);
        Assert.Equal(MemoryTier.Device, model.Tier);
        Assert.Equal(10 * MiB, manager.DeviceBytesUsed);
        Assert.Equal(3 * MiB, manager.HostBytesUsed);
    }

    [Fact]
    public void A_session_tensor_is_dropped_when_the_host_budget_is_full_too()
    {
        var manager = Create(device: 6 * MiB, host: 3 * MiB);
        var reclaimer = new RecordingReclaimer();
        using var s1 = manager.Reserve("s1", LeaseKind.SessionTensor, 3 * MiB, reclaimer);
        using var s2 = manager.Reserve("s2", LeaseKind.SessionTensor, 3 * MiB, reclaimer);
        using var s3 = manager.Reserve("s3", LeaseKind.SessionTensor, 3 * MiB, reclaimer); // s1 → host
        using var s4 = manager.Reserve("s4", LeaseKind.SessionTensor, 3 * MiB, reclaimer); // host full: s1 dropped, s2 → host

        Assert.Equal(["demote s1", "drop s1", "demote s2"], reclaimer.Events);
        Assert.Equal(MemoryTier.Dropped, s1.Tier);
        Assert.Equal(MemoryTier.Host, s2.Tier);
        Assert.Equal(3 * MiB, manager.HostBytesUsed);
    }

    [Fact]
    public void Models_are_unloaded_in_lru_order_and_pinned_models_stay()
    {
        var manager = Create(device: 10 * MiB, host: 0);
        var reclaimer = new RecordingReclaimer();
        using var pinned = manager.Reserve("pinned", LeaseKind.Model, 4 * MiB, reclaimer, pinned: true);
        using var a = manager.Reserve("a", LeaseKind.Model, 3 * MiB, reclaimer);
        using var b = manager.Reserve("b", LeaseKind.Model, 3 * MiB, reclaimer);

        using var c = manager.Reserve("c", LeaseKind.Model, 3 * MiB, reclaimer);
        using var d = manager.Reserve("d", LeaseKind.Model, 3 * MiB, reclaimer);

        Assert.Equal(["drop a", "drop b"], reclaimer.Events);
        Assert.Equal(MemoryTier.Device, pinned.Tier);
        Assert.Equal(2, manager.Counters.ModelEvictions);
    }

    [Fact]
    public void A_model_in_use_is_never_unloaded_and_when_nothing_can_be_freed_the_request_fails_without_exceeding_the_budget()
    {
        var manager = Create(device: 8 * MiB, host: 0);
        var reclaimer = new RecordingReclaimer();
        using var running = manager.Reserve("running", LeaseKind.Model, 5 * MiB, reclaimer);
        using var scope = running.Use();

        var error = Assert.Throws<DeviceMemoryExhaustedException>(() => manager.Reserve("other", LeaseKind.Model, 4 * MiB, reclaimer));

        Assert.Equal(4 * MiB, error.RequestedBytes);
        Assert.Empty(reclaimer.Events);
        Assert.Equal(5 * MiB, manager.DeviceBytesUsed);
    }

    [Fact]
    public void A_request_larger_than_the_whole_budget_fails_fast_without_reclaiming_anything()
    {
        var manager = Create(device: 8 * MiB, host: 0);
        var reclaimer = new RecordingReclaimer();
        using var model = manager.Reserve("m", LeaseKind.Model, 5 * MiB, reclaimer);

        Assert.Throws<DeviceMemoryExhaustedException>(() => manager.Reserve("huge", LeaseKind.Model, 9 * MiB, reclaimer));
        Assert.Empty(reclaimer.Events);
    }

    [Fact]
    public void A_demoted_tensor_is_promoted_back_making_room_by_demoting_another()
    {
        var manager = Create(device: 6 * MiB, host: 6 * MiB);
        var reclaimer = new RecordingReclaimer();
        using var s1 = manager.Reserve("s1", LeaseKind.SessionTensor, 3 * MiB, reclaimer);
        using var s2 = manager.Reserve("s2", LeaseKind.SessionTensor, 3 * MiB, reclaimer);
        using var s3 = manager.Reserve("s3", LeaseKind.SessionTensor, 3 * MiB, reclaimer); // s1 → host

        using (var use = s1.Use())
        {
            Assert.Equal(MemoryTier.Host, use.Tier);
            Assert.True(manager.TryPromote(s1)); // s2 (LRU, not in use) → host
        }

        Assert.Equal(MemoryTier.Device, s1.Tier);
        Assert.Equal(MemoryTier.Host, s2.Tier);
        Assert.Equal(6 * MiB, manager.DeviceBytesUsed);
        Assert.Equal(3 * MiB, manager.HostBytesUsed);
    }

    [Fact]
    public void Models_first_order_unloads_a_model_before_demoting_session_tensors()
    {
        var manager = Create(device: 6 * MiB, host: 6 * MiB, EvictionOrder.ModelsFirst);
        var reclaimer = new RecordingReclaimer();
        using var s1 = manager.Reserve("s1", LeaseKind.SessionTensor, 3 * MiB, reclaimer);
        using var m = manager.Reserve("m", LeaseKind.Model, 3 * MiB, reclaimer);

        using var s2 = manager.Reserve("s2", LeaseKind.SessionTensor, 3 * MiB, reclaimer);

        Assert.Equal(["drop m"], reclaimer.Events);
    }

    [Fact]
    public void Random_workload_never_exceeds_either_budget()
    {
        var manager = Create(device: 20 * MiB, host: 8 * MiB);
        var reclaimer = new RecordingReclaimer();
        var random = new Random(1234);
        var live = new List<MemoryLease>();
        for (var step = 0; step < 2000; step++)
        {
            var action = random.Next(4);
            if (action < 2)
            {
                var kind = random.Next(3) == 0 ? LeaseKind.Model : LeaseKind.SessionTensor;
                try
                {
                    live.Add(manager.Reserve($"x{step}", kind, random.Next(1, 7) * MiB, reclaimer, pinned: random.Next(20) == 0));
                }
                catch (DeviceMemoryExhaustedException)
                {
                    // allowed: nothing left to reclaim
                }
            }
            else if (action == 2 && live.Count > 0)
            {
                var index = random.Next(live.Count);
                live[index].Dispose();
                live.RemoveAt(index);
            }
            else if (live.Count > 0)
            {
                var lease = live[random.Next(live.Count)];
                if (lease.Tier == MemoryTier.Host)
                {
                    manager.TryPromote(lease);
                }
            }

            Assert.InRange(manager.DeviceBytesUsed, 0, manager.DeviceBudgetBytes);
            Assert.InRange(manager.HostBytesUsed, 0, manager.HostBudgetBytes);
            var snapshot = manager.Snapshot();
            Assert.Equal(manager.DeviceBytesUsed, snapshot.Where(l => l.Tier == MemoryTier.Device).Sum(l => l.Bytes));
            Assert.Equal(manager.HostBytesUsed, snapshot.Where(l => l.Tier == MemoryTier.Host).Sum(l => l.Bytes));
        }

        foreach (var lease in live)
        {
            lease.Dispose();
        }

        Assert.Equal(0, manager.DeviceBytesUsed);
        Assert.Equal(0, manager.HostBytesUsed);
    }

    private static DeviceMemoryManager Create(long device, long host, EvictionOrder order = EvictionOrder.SessionTensorsFirst) =>
        new(Options.Create(new DeviceMemoryOptions { MemoryBudgetBytes = device, HostBudgetBytes = host, EvictionOrder = order }),
            NullLogger<DeviceMemoryManager>.Instance);

    private sealed class RecordingReclaimer : IMemoryReclaimer
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
