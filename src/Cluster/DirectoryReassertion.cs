using Atelier.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Atelier.Cluster;

/// <summary>
/// When Redis comes back empty (<see cref="RedisMembership.TableRecreated"/>), registers this silo's activations in
/// the directory again (<see cref="SiloRuntime.ReassertDirectoryAsync"/>), retrying until it succeeds, so calls from
/// other silos find their owners and a grain activated elsewhere meanwhile keeps a single activation.
/// </summary>
internal sealed partial class DirectoryReassertion(RedisMembership membership, SiloRuntime runtime, ILogger<DirectoryReassertion> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Times the directory entries were registered again (for tests and diagnostics).</summary>
    public int Reassertions { get; private set; }

    /// <inheritdoc />
    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        membership.TableRecreated += OnTableRecreated;
        try
        {
            while (true)
            {
                await _signal.WaitAsync(stoppingToken).ConfigureAwait(false);
                while (true)
                {
                    try
                    {
                        var lost = await runtime.ReassertDirectoryAsync(stoppingToken).ConfigureAwait(false);
                        Reassertions++;
                        Log.Reasserted(logger, runtime.GetActivations().Count, lost);
                        break;
                    }
                    catch (ClusterUnavailableException exception)
                    {
                        Log.ReassertionFailed(logger, exception);
                        await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            membership.TableRecreated -= OnTableRecreated;
        }
    }

    private void OnTableRecreated(object? sender, EventArgs e)
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // A re-assertion is already pending.
        }
    }
}
