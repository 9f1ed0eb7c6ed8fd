using Atelier.Runtime.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Atelier.Runtime.Tests;

public sealed class HostingTests
{
    [Fact]
    public async Task Generic_host_starts_the_embedded_silo_and_stopping_it_deactivates_grains()
    {
        var probe = new Probe();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(probe)
            .AddAtelierSilo(o => o.Endpoint = "embedded")
            .AddGrain<ILifecycleGrain, LifecycleGrain>();
        using var host = builder.Build();

        await host.StartAsync();
        var factory = host.Services.GetRequiredService<IGrainFactory>();
        Assert.Equal(1, await factory.GetGrain<ILifecycleGrain>("a").Increment());
        Assert.Equal(2, await factory.GetGrain<ILifecycleGrain>("a").Increment());
        var runtime = host.Services.GetRequiredService<SiloRuntime>();
        Assert.Equal("embedded", runtime.Address.Endpoint);
        Assert.Equal(SiloStatus.Active, host.Services.GetRequiredService<IMembership>().GetStatus(runtime.Address));
        await host.StopAsync();

        Assert.Equal(DeactivationReason.ShuttingDown, Assert.Single(probe.Deactivations).Reason);
        Assert.Equal(0, runtime.ActivationCount);
    }

    [Fact]
    public void Invalid_options_are_rejected_when_the_runtime_is_built()
    {
        var services = new ServiceCollection().AddAtelierSilo(o => o.MailboxCapacity = 0);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<SiloRuntime>());
        Assert.Contains("MailboxCapacity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calling_a_grain_interface_without_a_registered_class_fails_clearly()
    {
        await using var provider = new ServiceCollection().AddAtelierSilo().BuildServiceProvider();
        var factory = provider.GetRequiredService<IGrainFactory>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => factory.GetGrain<ICounterGrain>("x").Get());
        Assert.Contains(typeof(ICounterGrain).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grain_interface_with_a_non_task_method_is_rejected()
    {
        using var provider = new ServiceCollection().AddAtelierSilo().BuildServiceProvider();
        var factory = provider.GetRequiredService<IGrainFactory>();

        var error = Assert.Throws<InvalidOperationException>(() => factory.GetGrain<IBadGrain>("x"));
        Assert.Contains(nameof(IBadGrain.NotAsync), error.Message, StringComparison.Ordinal);
    }

    public interface IBadGrain : IGrainWithStringKey
    {
        int NotAsync();
    }
}
