using Atelier.Runtime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Atelier.Cluster;

/// <summary>
/// When Redis comes back empty (<see cref="RedisMembership.TableRecreated"/>), registers this silo's activations in
/// the directory again (<see cref="SiloRuntime.ReassertDirectoryAsync"/>, which also lets grains write their state back
/// into the emptied store), retrying until it succeeds, then marks this silo's row complete for the new epoch
/// (<see cref="RedisMembership.MarkDirectoryCompleteAsync"/>): until every live silo has, directory misses wait instead
/// of placing a second activation of a session that is alive here.
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
        membership.DirectoryPending = () => runtime.DeferredRegistrations > 0;
        try
        {
            while (true)
            {
                await _signal.WaitAsync(stoppingToken).ConfigureAwait(false);
                while (true)
                {
                    try
                    {
                        var epoch = membership.RowEpoch ?? membership.Epoch;
                        var lost = await runtime.ReassertDirectoryAsync(stoppingToken).ConfigureAwait(false);
                        await membership.MarkDirectoryCompleteAsync(epoch, stoppingToken).ConfigureAwait(false);
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
