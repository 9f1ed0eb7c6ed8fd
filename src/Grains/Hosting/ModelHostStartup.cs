using Atelier.Grains.Models;
using Atelier.Onnx;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atelier.Grains.Hosting;

/// <summary>
/// At silo start: creates the process-wide ONNX Runtime environment (its log routed to this host's
/// logging, the library path from <c>Onnx:LibraryPath</c> or the setup cache), then loads pinned models.
/// </summary>
internal sealed class ModelHostStartup(
    ModelHost host,
    IOptions<OnnxRuntimeOptions> onnx,
    ILoggerFactory loggerFactory) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        OnnxRuntimeEnvironment.Initialize(onnx.Value, loggerFactory);
        await host.LoadPinnedAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
