namespace Atelier.Runtime.Tests.Grains;

/// <summary>Records every incoming call with the tenant it carried.</summary>
internal sealed class RecordingIncomingFilter(Probe probe) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        probe.Events.Enqueue($"in:{context.InterfaceMethod.Name}:{context.Grain.GetType().Name}");
        await context.Invoke();
        probe.Events.Enqueue($"out:{context.InterfaceMethod.Name}:{context.Result}");
    }
}

/// <summary>Stamps a trace id on every outgoing call that has none.</summary>
internal sealed class TraceOutgoingFilter : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (RequestContext.Get(RequestContext.TraceIdKey) is null)
        {
            RequestContext.Set(RequestContext.TraceIdKey, "trace-from-filter");
        }

        return context.Invoke();
    }
}
