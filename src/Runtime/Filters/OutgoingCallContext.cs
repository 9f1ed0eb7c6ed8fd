using System.Reflection;

namespace Atelier.Runtime;

/// <summary>Runs the outgoing filter chain around one call made through a reference.</summary>
internal sealed class OutgoingCallContext(SiloRuntime runtime, GrainId target, GrainInterfaceInfo grainInterface, GrainMethod method, object?[] arguments, IOutgoingGrainCallFilter[] filters)
    : IOutgoingGrainCallContext
{
    private int _next;

    public GrainId TargetId { get; } = target;

    public MethodInfo InterfaceMethod => method.Method;

    public object?[] Arguments { get; } = arguments;

    public object? Result { get; set; }

    public async Task Invoke()
    {
        if (_next < filters.Length)
        {
            await filters[_next++].Invoke(this).ConfigureAwait(false);
        }
        else
        {
            Result = await runtime.SendAsync(TargetId, grainInterface, method, Arguments).ConfigureAwait(false);
        }
    }

    public async Task<object?> RunAsync()
    {
        await Invoke().ConfigureAwait(false);
        return Result;
    }
}
