namespace Atelier.Runtime;

/// <summary>Runs around every call an activation on this silo executes (tracing, metrics, auth).
/// Register with <c>services.AddIncomingGrainCallFilter&lt;T&gt;()</c>.</summary>
public interface IIncomingGrainCallFilter
{
    /// <summary>Call <c>context.Invoke()</c> to continue the pipeline.</summary>
    Task Invoke(IIncomingGrainCallContext context);
}
