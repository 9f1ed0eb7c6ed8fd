namespace Atelier.Runtime;

/// <summary>
/// Carries encoded runtime frames (calls, responses, cancellations, migrations) between silos. Frames are opaque
/// bytes; a transport must not read or keep <c>frame</c> after the returned task completes, and must hand the
/// receiving <see cref="IMessageHandler"/> a buffer it never reuses.
/// </summary>
public interface IMessageTransport
{
    /// <summary>Sends a request frame to <paramref name="target"/> and returns its response frame.</summary>
    /// <exception cref="SiloUnavailableException">The silo cannot be reached.</exception>
    Task<ReadOnlyMemory<byte>> SendRequestAsync(SiloAddress target, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);

    /// <summary>Sends a frame that has no response (cancellation).</summary>
    Task SendOneWayAsync(SiloAddress target, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);
}
