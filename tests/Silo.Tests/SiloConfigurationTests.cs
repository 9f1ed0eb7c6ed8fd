using Atelier.Models.Adapters;
using Atelier.Models.Onnx;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atelier.Silo.Tests;

public sealed class SiloConfigurationTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task A_session_that_names_no_model_gets_the_photo_segmenter_sam_isnet()
    {
        // The silo's own default, as the CLI and the editor get it (they name no model unless asked): a real ISNet encode.
        using var client = factory.CreateClient();
        using var content = new ByteArrayContent(Http.TestImages.Png(64, 48));
        content.Headers.ContentType = new("image/png");

        using var response = await client.PostAsync(new Uri("/v1/sessions", UriKind.Relative), content);

        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        using var session = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("sam-isnet", session.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void Device_cuda_with_cpu_fallback_puts_models_on_the_cuda_execution_provider()
    {
        using var cuda = factory.WithWebHostBuilder(b => b.UseSetting("Silo:Device", "cuda").UseSetting("Models:Loader:Session:FallbackToCpu", "true"));

        var loader = cuda.Services.GetRequiredService<IOptions<ModelLoaderOptions>>().Value;

        Assert.Equal(ExecutionProvider.Cuda, loader.Session.ExecutionProvider);
        Assert.True(loader.Session.FallbackToCpu);
    }

    [Fact]
    public void Device_cuda_without_a_usable_cuda_provider_refuses_to_start_naming_what_is_missing()
    {
        // This build carries the CPU package (no GPU here): the silo must not start on the CPU silently.
        using var cuda = factory.WithWebHostBuilder(b => b.UseSetting("Silo:Device", "cuda"));

        var error = Assert.ThrowsAny<Exception>(() => cuda.Services);

        var missing = FindInChain<ExecutionProviderUnavailableException>(error);
        Assert.NotNull(missing);
        Assert.Contains(OnnxSessions.CudaProviderName, missing.Message, StringComparison.Ordinal);
        Assert.Contains("FallbackToCpu", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Device_cpu_is_the_default()
    {
        var loader = factory.Services.GetRequiredService<IOptions<ModelLoaderOptions>>().Value;

        Assert.Equal(ExecutionProvider.Cpu, loader.Session.ExecutionProvider);
    }

    private static T? FindInChain<T>(Exception? error)
        where T : Exception
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is T found)
            {
                return found;
            }

            if (error is AggregateException aggregate && aggregate.InnerExceptions.Select(FindInChain<T>).FirstOrDefault(e => e is not null) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
