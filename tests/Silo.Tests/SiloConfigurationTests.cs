using Atelier.Models.Adapters;
using Atelier.Models.Onnx;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Tests;

public sealed class SiloConfigurationTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public void Device_cuda_puts_models_on_the_cuda_execution_provider()
    {
        using var cuda = factory.WithWebHostBuilder(b => b.UseSetting("Silo:Device", "cuda"));

        var loader = cuda.Services.GetRequiredService<IOptions<ModelLoaderOptions>>().Value;

        Assert.Equal(ExecutionProvider.Cuda, loader.Session.ExecutionProvider);
    }

    [Fact]
    public void Device_cpu_is_the_default()
    {
        var loader = factory.Services.GetRequiredService<IOptions<ModelLoaderOptions>>().Value;

        Assert.Equal(ExecutionProvider.Cpu, loader.Session.ExecutionProvider);
    }
}
