namespace Atelier.Runtime;

/// <summary>The transport of a single embedded silo: there is nobody else to send to.</summary>
internal sealed class LocalOnlyTransport : IMessageTransport
{
    public Task<ReadOnlyMemory<byte>> SendRequestAsync(SiloAddress target, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        Task.FromException<ReadOnlyMemory<byte>>(new SiloUnavailableException($"No transport is configured to reach silo {target}.") { NotDelivered = true });

    public Task SendOneWayAsync(SiloAddress target, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        Task.FromException(new SiloUnavailableException($"No transport is configured to reach silo {target}."));
}
