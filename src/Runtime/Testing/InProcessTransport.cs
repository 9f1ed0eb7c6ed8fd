using System.Collections.Concurrent;

namespace Atelier.Runtime.Testing;

/// <summary>
/// A transport between silos of one process that still behaves like a wire: every frame is copied, so nothing but
/// encoded bytes crosses, and the receiver runs asynchronously. Counts frames and bytes for tests and benchmarks.
/// </summary>
public sealed class InProcessTransport : IMessageTransport
{
    private readonly ConcurrentDictionary<SiloAddress, IMessageHandler> _silos = new();
    private long _requests;
    private long _requestBytes;

    /// <summary>Request frames sent so far.</summary>
    public long RequestsSent => Interlocked.Read(ref _requests);

    /// <summary>Bytes of request frames sent so far.</summary>
    public long RequestBytesSent => Interlocked.Read(ref _requestBytes);

    /// <summary>Makes <paramref name="silo"/> reachable.</summary>
    public void Register(SiloAddress silo, IMessageHandler handler) => _silos[silo] = handler;

    /// <summary>Makes <paramref name="silo"/> unreachable (as if its process died).</summary>
    public void Unregister(SiloAddress silo) => _silos.TryRemove(silo, out _);

    /// <inheritdoc />
    public async Task<ReadOnlyMemory<byte>> SendRequestAsync(SiloAddress target, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var handler = Find(target);
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _requestBytes, frame.Length);
        var copy = frame.ToArray();
        await Task.Yield();
        var response = await handler.HandleAsync(copy, cancellationToken).ConfigureAwait(false);
        return response.ToArray();
    }

    /// <inheritdoc />
    public async Task SendOneWayAsync(SiloAddress target, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var handler = Find(target);
        var copy = frame.ToArray();
        await Task.Yield();
        await handler.HandleAsync(copy, cancellationToken).ConfigureAwait(false);
    }

    private IMessageHandler Find(SiloAddress target) =>
        _silos.TryGetValue(target, out var handler) ? handler : throw new SiloUnavailableException($"Silo {target} is not reachable.") { NotDelivered = true };
}
