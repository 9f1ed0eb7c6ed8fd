using Atelier.Runtime.Tests.Grains;

namespace Atelier.Runtime.Tests;

public sealed class FilterTests
{
    [Fact]
    public async Task Incoming_and_outgoing_filters_run_around_calls_across_silos()
    {
        var probe = new Probe();
        await using var cluster = await Clusters.StartAsync(2, probe, s =>
        {
            s.AddIncomingGrainCallFilter<RecordingIncomingFilter>();
            s.AddOutgoingGrainCallFilter<TraceOutgoingFilter>();
        });
        await cluster.Silos[1].GrainFactory.GetGrain<IRemoteGrain>("filtered").Silo(); // activate on the second silo
        probe.Events.Clear();

        var trace = await cluster.Silos[0].GrainFactory.GetGrain<IRemoteGrain>("filtered").Context(RequestContext.TraceIdKey);

        Assert.Equal("trace-from-filter", trace);
        Assert.Equal(["in:Context:RemoteGrain", "out:Context:trace-from-filter"], probe.Events.ToArray());
        Assert.Null(RequestContext.Get(RequestContext.TraceIdKey)); // the filter's change stayed in the call's flow
    }
}
