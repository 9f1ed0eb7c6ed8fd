namespace Atelier.Grains.Memory;

/// <summary>
/// The device budget cannot fit a request even after demoting and evicting everything that may be
/// reclaimed. The budget is never exceeded instead; the API answers 503 <c>overloaded</c> + Retry-After.
/// </summary>
public sealed class DeviceMemoryExhaustedException : Exception
{
    public DeviceMemoryExhaustedException() { }

    public DeviceMemoryExhaustedException(string message) : base(message) { }

    public DeviceMemoryExhaustedException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Bytes that were requested.</summary>
    public long RequestedBytes { get; init; }

    /// <summary>A suggested wait before retrying.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(2);
}
