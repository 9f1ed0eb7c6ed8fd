using System.Diagnostics.Metrics;
using Atelier.Grains.Memory;
using Atelier.Grains.Sessions;

namespace Atelier.Grains.Diagnostics;

/// <summary>
/// Session instruments of one silo (meter <c>Atelier.Sessions</c>): active sessions, sessions opened, closed,
/// expired, re-homed (reactivated here from the session store) and migrated (arrived with their state), read
/// from the <see cref="SessionRegistry"/>; and the session tensor cache by tier (device, host) with its budgets,
/// demotions and drops, read from the <see cref="DeviceMemoryManager"/> at collection time.
/// </summary>
internal sealed class SessionMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Atelier.Sessions";

    public SessionMetrics(IMeterFactory meterFactory, SessionRegistry registry, DeviceMemoryManager? memory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("atelier.sessions.active", () => registry.Active, "{session}", "Sessions live on this silo now.");
        meter.CreateObservableCounter("atelier.sessions.opened", () => registry.Opened, "{session}", "Sessions opened on this silo.");
        meter.CreateObservableCounter("atelier.sessions.closed", () => registry.Closed, "{session}", "Sessions closed by their client.");
        meter.CreateObservableCounter("atelier.sessions.expired", () => registry.Expired, "{session}", "Sessions closed by their idle time-to-live.");
        meter.CreateObservableCounter("atelier.sessions.rehomed", () => registry.Rehomed, "{session}",
            "Sessions reactivated on this silo from the session store (their silo died or let them go); they re-encode on next use.");
        meter.CreateObservableCounter("atelier.sessions.migrated", () => registry.Migrated, "{session}",
            "Sessions that arrived on this silo by migration, with their cached tensors.");
        if (memory is null)
        {
            return;
        }

        meter.CreateObservableGauge("atelier.session.cache.usage", () => ObserveCache(memory), "By", "Bytes of cached session tensors (embeddings), by tier (device, host).");
        meter.CreateObservableGauge("atelier.session.cache.budget", () => ObserveBudgets(memory), "By",
            "Budget the session tensor cache lives in, by tier: device (shared with loaded models) and host (demoted tensors only).");
        meter.CreateObservableCounter("atelier.session.cache.demotions", () => memory.Counters.Demotions, "{tensor}", "Session tensors demoted from device to host memory.");
        meter.CreateObservableCounter("atelier.session.cache.drops", () => memory.Counters.Drops, "{tensor}", "Session tensors dropped (recomputed from the image on next use).");
    }

    private static Measurement<long>[] ObserveCache(DeviceMemoryManager memory)
    {
        long device = 0, host = 0;
        foreach (var lease in memory.Snapshot())
        {
            if (lease.Kind != LeaseKind.SessionTensor)
            {
                continue;
            }

            if (lease.Tier == MemoryTier.Device)
            {
                device += lease.Bytes;
            }
            else if (lease.Tier == MemoryTier.Host)
            {
                host += lease.Bytes;
            }
        }

        return [new(device, new KeyValuePair<string, object?>("tier", "device")), new(host, new KeyValuePair<string, object?>("tier", "host"))];
    }

    private static Measurement<long>[] ObserveBudgets(DeviceMemoryManager memory) =>
        [
            new(memory.DeviceBudgetBytes, new KeyValuePair<string, object?>("tier", "device")),
            new(memory.HostBudgetBytes, new KeyValuePair<string, object?>("tier", "host")),
        ];
}
