using System.Collections.Immutable;

namespace Atelier.Runtime;

/// <summary>A decoded request frame.</summary>
internal readonly record struct IncomingRequest(
    long CallId,
    SiloAddress Caller,
    GrainId GrainId,
    GrainInterfaceInfo Interface,
    GrainMethod Method,
    object?[] Arguments,
    ImmutableDictionary<string, string>? Context);
