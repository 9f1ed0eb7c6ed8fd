using Atelier.Runtime.Tests.Grains;

namespace Atelier.Runtime.Tests;

public sealed class RemoteCallTests
{
    /// <summary>Two silos and a grain activated on the second (prefer-local placement from there).</summary>
    private static async Task<(Testing.TestCluster Cluster, IRemoteGrain FromFirst)> StartWithRemoteGrainAsync(Probe probe, string key)
    {
        var cluster = await Clusters.StartAsync(2, probe);
        var owner = cluster.Silos[1];
        Assert.Equal(owner.Address.ToString(), await owner.GrainFactory.GetGrain<IRemoteGrain>(key).Silo());
        return (cluster, cluster.Silos[0].GrainFactory.GetGrain<IRemoteGrain>(key));
    }

    [Fact]
    public async Task Call_to_a_grain_on_another_silo_goes_through_the_transport()
    {
        var probe = new Probe();
        var (cluster, grain) = await StartWithRemoteGrainAsync(probe, "r1");
        await using var _ = cluster;
        var before = cluster.Transport.RequestsSent;

        Assert.Equal(cluster.Silos[1].Address.ToString(), await grain.Silo());
        Assert.Equal(before + 1, cluster.Transport.RequestsSent);
    }

    [Fact]
    public async Task Request_context_flows_to_the_remote_grain_and_changes_there_do_not_flow_back()
    {
        var probe = new Probe();
        var (cluster, grain) = await StartWithRemoteGrainAsync(probe, "r2");
        await using var _ = cluster;

        RequestContext.Set(RequestContext.TenantKey, "tenant-a");
        RequestContext.Set(RequestContext.TraceIdKey, "trace-123");
        try
        {
            Assert.Equal("tenant-a", await grain.Context(RequestContext.TenantKey));
            Assert.Equal("trace-123", await grain.Context(RequestContext.TraceIdKey));
            await grain.SetContext("callee-only", "x");
            Assert.Null(RequestContext.Get("callee-only"));
        }
        finally
        {
            RequestContext.Clear();
        }

        Assert.Null(await grain.Context(RequestContext.TenantKey));
    }

    [Fact]
    public async Task Request_context_flows_to_a_local_grain()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe);
        var grain = cluster.Silos[0].GrainFactory.GetGrain<IRemoteGrain>("local");

        RequestContext.Set(RequestContext.TenantKey, "tenant-local");
        try
        {
            Assert.Equal("tenant-local", await grain.Context(RequestContext.TenantKey));
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    [Fact]
    public async Task Caller_cancellation_cancels_the_remote_grain_token()
    {
        var probe = new Probe();
        var (cluster, grain) = await StartWithRemoteGrainAsync(probe, "r3");
        await using var _ = cluster;
        using var cancellation = new CancellationTokenSource();

        var call = grain.WaitForCancellation(cancellation.Token);
        await probe.Entered.Task.WithTimeout();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WithTimeout());
        await probe.CancelObserved.Task.WithTimeout(); // the callee's token fired on the other silo
    }

    [Fact]
    public async Task Remote_exception_surfaces_with_its_type_and_message()
    {
        var probe = new Probe();
        var (cluster, grain) = await StartWithRemoteGrainAsync(probe, "r4");
        await using var _ = cluster;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Fail("the image is too large"));
        Assert.Equal("the image is too large", error.Message);
    }

    [Fact]
    public async Task Remote_exception_that_cannot_be_rebuilt_keeps_its_type_name_and_message()
    {
        var probe = new Probe();
        var (cluster, grain) = await StartWithRemoteGrainAsync(probe, "r5");
        await using var _ = cluster;

        var error = await Assert.ThrowsAsync<RemoteGrainException>(() => grain.FailUnrebuildable("model missing"));
        Assert.Equal(typeof(GrainSpecificException).FullName, error.RemoteTypeName);
        Assert.Equal("model missing", error.Message);
        Assert.Contains(nameof(RemoteGrain.FailUnrebuildable), error.RemoteStackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_exception_surfaces_unchanged()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.Silos[0].GrainFactory.GetGrain<ICounterGrain>("c").Fail("boom"));
        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public async Task Large_byte_payloads_travel_as_raw_bytes()
    {
        var probe = new Probe();
        var (cluster, grain) = await StartWithRemoteGrainAsync(probe, "r6");
        await using var _ = cluster;
        var payload = new byte[4 << 20];
        new Random(7).NextBytes(payload);
        var before = cluster.Transport.RequestBytesSent;

        Assert.Equal(payload.Sum(b => (long)b), await grain.Sum(payload));

        // base64 would be 5.6 MB and a JSON number array far more: the frame is the payload plus a small envelope.
        var frame = cluster.Transport.RequestBytesSent - before;
        Assert.InRange(frame, payload.Length, payload.Length + 512);
        Assert.Equal(payload, (await grain.Echo(payload)).ToArray());
    }

    [Fact]
    public async Task Byte_arrays_inside_records_round_trip_across_silos()
    {
        var probe = new Probe();
        var (cluster, grain) = await StartWithRemoteGrainAsync(probe, "r7");
        await using var _ = cluster;
        var picture = new Picture("cat", [0, 1, 254, 255], new byte[] { 9, 8, 7 });

        var inverted = await grain.Invert(picture);

        Assert.Equal("cat-inverted", inverted.Name);
        Assert.Equal(new byte[] { 255, 254, 1, 0 }, inverted.Pixels);
        Assert.Equal(new byte[] { 9, 8, 7 }, inverted.Thumbnail.ToArray());
    }
}
