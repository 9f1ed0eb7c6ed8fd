namespace Atelier.Runtime;

/// <summary>
/// A silo's receiving end of <see cref="IMessageTransport"/> (registered in DI by <c>AddAtelierSilo</c>).
/// A transport server (the in-process hub, an HTTP/2 endpoint) hands each received frame to it.
/// </summary>
public interface IMessageHandler
{
    /// <summary>Handles a request frame and returns the response frame (empty for one-way frames).
    /// The handler may keep references into <paramref name="frame"/>.</summary>
    Task<ReadOnlyMemory<byte>> HandleAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);
}
