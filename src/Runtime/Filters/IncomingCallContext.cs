using System.Reflection;

namespace Atelier.Runtime;

/// <summary>Runs the incoming filter chain around one call inside its turn.</summary>
internal sealed class IncomingCallContext(Grain grain, CallWorkItem call, IIncomingGrainCallFilter[] filters) : IIncomingGrainCallContext
{
    private int _next;

    public Grain Grain { get; } = grain;

    public GrainId TargetId => call.GrainId;

    public MethodInfo InterfaceMethod => call.Method.Method;

    public object?[] Arguments => call.Arguments;

    public object? Result { get; set; }

    public async Task Invoke()
    {
        if (_next < filters.Length)
        {
            await filters[_next++].Invoke(this).ConfigureAwait(false);
        }
        else
        {
            Result = await call.Method.Invoker(Grain, call.Arguments).ConfigureAwait(false);
        }
    }

    public async Task<object?> RunAsync()
    {
        await Invoke().ConfigureAwait(false);
        return Result;
    }
}
