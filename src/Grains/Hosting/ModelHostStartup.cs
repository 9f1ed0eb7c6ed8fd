using Atelier.Grains.Models;
using Atelier.Models.Adapters;
using Atelier.Models.Onnx;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atelier.Grains.Hosting;

/// <summary>
/// At silo start: creates the process-wide ONNX Runtime environment (global thread pools from <c>Onnx:*</c>, its
/// log routed to this host's logging), checks that the configured execution provider can be used (a CUDA silo
/// without CUDA refuses to start, naming what is missing, unless CPU fallback is configured), then loads pinned models.
/// </summary>
internal sealed class ModelHostStartup(
    ModelHost host,
    ModelLoader loader,
    IOptions<OnnxRuntimeOptions> onnx,
    ILoggerFactory loggerFactory) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        OnnxRuntimeEnvironment.Initialize(onnx.Value, loggerFactory);
        loader.CheckExecutionProvider();
        await host.LoadPinnedAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
