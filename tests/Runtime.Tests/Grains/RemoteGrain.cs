namespace Atelier.Runtime.Tests.Grains;

public sealed record Picture(string Name, byte[] Pixels, ReadOnlyMemory<byte> Thumbnail);

/// <summary>Thrown by a grain; it has no (string) constructor, so the caller cannot rebuild it.</summary>
public sealed class GrainSpecificException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}

public interface IRemoteGrain : IGrainWithStringKey
{
    Task<string> Silo();

    Task<string?> Context(string key);

    Task SetContext(string key, string value);

    Task Fail(string message);

    Task FailUnrebuildable(string message);

    Task WaitForCancellation(CancellationToken cancellationToken);

    Task<long> Sum(byte[] payload);

    Task<ReadOnlyMemory<byte>> Echo(ReadOnlyMemory<byte> payload);

    Task<Picture> Invert(Picture picture);

    Task Block();
}

[PreferLocalPlacement]
internal sealed class RemoteGrain(Probe probe) : Grain, IRemoteGrain
{
    Task<string> IRemoteGrain.Silo() => Task.FromResult(Silo.ToString());

    public Task<string?> Context(string key) => Task.FromResult(RequestContext.Get(key));

    public Task SetContext(string key, string value)
    {
        RequestContext.Set(key, value);
        return Task.CompletedTask;
    }

    public Task Fail(string message) => throw new InvalidOperationException(message);

    public Task FailUnrebuildable(string message) => throw new GrainSpecificException(42, message);

    public async Task WaitForCancellation(CancellationToken cancellationToken)
    {
        probe.Entered.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            probe.CancelObserved.TrySetResult();
            throw;
        }
    }

    public Task<long> Sum(byte[] payload)
    {
        long sum = 0;
        foreach (var b in payload)
        {
            sum += b;
        }

        return Task.FromResult(sum);
    }

    public Task<ReadOnlyMemory<byte>> Echo(ReadOnlyMemory<byte> payload) => Task.FromResult(payload);

    public Task<Picture> Invert(Picture picture)
    {
        var pixels = picture.Pixels.Select(b => (byte)(255 - b)).ToArray();
        return Task.FromResult(picture with { Name = picture.Name + "-inverted", Pixels = pixels });
    }

    public async Task Block()
    {
        probe.Entered.TrySetResult();
        await probe.Gate.Task;
    }
}
