namespace Atelier.Grains;

/// <summary>
/// Marks a grain method whose repetition has no further effect (reads, clicks). The ingress silo may send such a call
/// again when the silo it was sent to dies before answering; calls without it are retried only when they carry
/// <see cref="CallContext.IdempotencyKey"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IdempotentAttribute : Attribute;
