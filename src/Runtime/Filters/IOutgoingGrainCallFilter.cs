namespace Atelier.Runtime;

/// <summary>Runs around every call made through a grain reference from this silo.
/// Register with <c>services.AddOutgoingGrainCallFilter&lt;T&gt;()</c>.</summary>
public interface IOutgoingGrainCallFilter
{
    /// <summary>Call <c>context.Invoke()</c> to continue the pipeline.</summary>
    Task Invoke(IOutgoingGrainCallContext context);
}
