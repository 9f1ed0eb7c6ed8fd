using Atelier.Runtime.Tests.Grains;

namespace Atelier.Runtime.Tests;

/// <summary>A failed grain call names the silo it ran on (<see cref="ExceptionOrigin"/>), locally and across silos.</summary>
public sealed class ExceptionOriginTests
{
    [Fact]
    public async Task Exception_from_a_grain_on_another_silo_names_that_silo()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe);
        var (caller, owner) = (cluster.Silos[0], cluster.Silos[1]);
        Assert.Equal(owner.Address.ToString(), await owner.GrainFactory.GetGrain<IRemoteGrain>("o1").Silo()); // placed on the owner
        var grain = caller.GrainFactory.GetGrain<IRemoteGrain>("o1");

        var rebuilt = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Fail("no selection"));
        var remote = await Assert.ThrowsAsync<RemoteGrainException>(() => grain.FailUnrebuildable("not found"));

        Assert.Equal("silo-1", owner.Runtime.Name);
        Assert.Equal("silo-1", rebuilt.GetOriginSilo());
        Assert.Equal("silo-1", remote.GetOriginSilo());
    }

    [Fact]
    public async Task Exception_from_a_local_grain_names_the_local_silo()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(1, probe, options: o => o.Name = "front");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.Silos[0].GrainFactory.GetGrain<ICounterGrain>("c").Fail("boom"));

        Assert.Equal("front", error.GetOriginSilo());
    }

    [Fact]
    public async Task Failure_two_calls_deep_names_the_silo_of_the_call_the_caller_made()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe);
        var (caller, other) = (cluster.Silos[0], cluster.Silos[1]);
        Assert.Equal(caller.Address.ToString(), await caller.GrainFactory.GetGrain<IRemoteGrain>("near-target").Silo());
        Assert.Equal(other.Address.ToString(), await other.GrainFactory.GetGrain<IRemoteGrain>("far-target").Silo());
        Assert.Equal(caller.Address.ToString(), await caller.GrainFactory.GetGrain<IRelayGrain>("near-relay").Silo());
        Assert.Equal(other.Address.ToString(), await other.GrainFactory.GetGrain<IRelayGrain>("far-relay").Silo());

        // caller → relay on silo-1 → grain on silo-0 throws: the caller's call ran on silo-1.
        var viaFar = await Assert.ThrowsAsync<InvalidOperationException>(
            () => caller.GrainFactory.GetGrain<IRelayGrain>("far-relay").FailThrough("near-target", "inner failure"));

        // caller → local relay on silo-0 → grain on silo-1 throws: the caller's call ran here, on silo-0.
        var viaNear = await Assert.ThrowsAsync<InvalidOperationException>(
            () => caller.GrainFactory.GetGrain<IRelayGrain>("near-relay").FailThrough("far-target", "inner failure"));

        Assert.Equal("inner failure", viaFar.Message);
        Assert.Equal("silo-1", viaFar.GetOriginSilo());
        Assert.Equal("inner failure", viaNear.Message);
        Assert.Equal("silo-0", viaNear.GetOriginSilo());
    }

    [Fact]
    public async Task Overload_of_a_grain_on_another_silo_names_the_overloaded_silo()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe, options: o => o.MailboxCapacity = 1);
        var owner = cluster.Silos[1].GrainFactory.GetGrain<IRemoteGrain>("busy-origin");
        var blocked = owner.Block();
        await probe.Entered.Task.WithTimeout();
        var queued = owner.Silo();

        var error = await Assert.ThrowsAsync<GrainOverloadedException>(() => cluster.Silos[0].GrainFactory.GetGrain<IRemoteGrain>("busy-origin").Silo());

        Assert.Equal("silo-1", error.GetOriginSilo());
        probe.Gate.SetResult();
        await blocked.WithTimeout();
        await queued.WithTimeout();
    }

    [Fact]
    public void Error_frame_carries_the_answering_silo_and_a_frame_without_it_reads_without_origin()
    {
        using var writer = new FrameWriter();
        ExceptionCodec.Write(writer, new InvalidOperationException("gone"), "owner-b");
        var reader = new FrameReader(writer.WrittenMemory.ToArray());
        var withOrigin = ExceptionCodec.Read(ref reader);

        // The layout before the origin was added (a silo of an older build): type, qualified type, message, stack.
        using var older = new FrameWriter();
        older.WriteString(typeof(InvalidOperationException).FullName);
        older.WriteString(typeof(InvalidOperationException).AssemblyQualifiedName);
        older.WriteString("gone");
        older.WriteString(null);
        var olderReader = new FrameReader(older.WrittenMemory.ToArray());
        var withoutOrigin = ExceptionCodec.Read(ref olderReader);

        Assert.IsType<InvalidOperationException>(withOrigin);
        Assert.Equal("owner-b", withOrigin.GetOriginSilo());
        Assert.IsType<InvalidOperationException>(withoutOrigin);
        Assert.Equal("gone", withoutOrigin.Message);
        Assert.Null(withoutOrigin.GetOriginSilo());
    }

    [Fact]
    public void Origin_is_found_on_an_inner_exception()
    {
        var inner = new InvalidOperationException("inner");
        ExceptionOrigin.Set(inner, "owner-c");

        Assert.Equal("owner-c", new InvalidDataException("outer", inner).GetOriginSilo());
        Assert.Null(new InvalidDataException("plain").GetOriginSilo());
    }
}
