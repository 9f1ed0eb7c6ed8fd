namespace Atelier.Runtime;

/// <summary>
/// On a grain interface method: running the call twice has the same effect as running it once, so a forwarding silo
/// may send it again when the silo it was in flight to dies (once, through a fresh directory lookup, after membership
/// declares that silo dead). Calls carrying <see cref="RequestContext.IdempotencyKey"/> are treated the same way: the
/// grain promises to apply one key once.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class IdempotentAttribute : Attribute;
