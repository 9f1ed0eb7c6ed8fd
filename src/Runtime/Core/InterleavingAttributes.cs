namespace Atelier.Runtime;

/// <summary>
/// On a grain interface method: calls to it may run while any other call of the same activation is in progress
/// (they bypass the mailbox). Use only for methods that touch no mutable state.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class AlwaysInterleaveAttribute : Attribute;

/// <summary>
/// On a grain interface method: a read-only call. Consecutive read-only calls in the mailbox run concurrently
/// with each other; a non-read-only call waits for all of them (reader/writer turns).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class ReadOnlyAttribute : Attribute;
