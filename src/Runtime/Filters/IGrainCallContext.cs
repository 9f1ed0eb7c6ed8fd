using System.Reflection;

namespace Atelier.Runtime;

/// <summary>A grain call as seen by a call filter.</summary>
public interface IGrainCallContext
{
    /// <summary>The grain being called.</summary>
    GrainId TargetId { get; }

    /// <summary>The grain interface method being called.</summary>
    MethodInfo InterfaceMethod { get; }

    /// <summary>The call's arguments (filters may read or replace them before <see cref="Invoke"/>).</summary>
    object?[] Arguments { get; }

    /// <summary>The call's result after <see cref="Invoke"/> (null for methods without a result).</summary>
    object? Result { get; set; }

    /// <summary>Runs the next filter, or the call itself.</summary>
    Task Invoke();
}

/// <summary>A call arriving at an activation: <see cref="Grain"/> is the instance that will run it.</summary>
public interface IIncomingGrainCallContext : IGrainCallContext
{
    /// <summary>The grain instance.</summary>
    Grain Grain { get; }
}

/// <summary>A call leaving a caller (a grain or any client code holding a reference).</summary>
public interface IOutgoingGrainCallContext : IGrainCallContext;
