using Atelier.Silo.Tests.Http;

namespace Atelier.Client.Tests;

/// <summary>The real silo in process and an <see cref="AtelierClient"/> over its TestServer.</summary>
public sealed class ClientFixture : IAsyncLifetime
{
    public ApiHost Host { get; } = new(ApiHost.Unlimited());

    public AtelierClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Client = new AtelierClient(Host.CreateClient());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
