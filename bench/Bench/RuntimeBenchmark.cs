using System.Diagnostics;
using Atelier.Runtime;
using Atelier.Runtime.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Bench;

/// <summary>
/// Grain call overhead of the actor runtime: a direct interface call on a plain object (baseline), a call through a
/// grain reference to a local activation (proxy + mailbox + turn), and a call to an activation on another silo of a
/// test cluster (binary envelope + in-process transport that copies every frame + the remote turn). Each for a no-op
/// method and for a 4 MiB byte payload. Calls are sequential (latency, not throughput).
/// </summary>
internal sealed class RuntimeBenchmark : IBenchmark
{
    private const int PayloadBytes = 4 << 20;

    public string Name => "runtime";

    public string Description => "grain call overhead: direct vs local activation vs cross-silo (in-process transport), no-op and 4 MiB payload";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        await using var cluster = await TestCluster.StartAsync(2, s => s.AddGrain<IBenchGrain, BenchGrain>(), cancellationToken: cancellationToken).ConfigureAwait(false);
        var (local, remote) = (cluster.Silos[0], cluster.Silos[1]);
        var key = "bench";
        var localRef = local.GrainFactory.GetGrain<IBenchGrain>(key);
        await localRef.Noop(); // activates on one of the two silos (random placement)
        var owner = cluster.Silos.Single(s => s.Runtime.ActivationCount == 1);
        var caller = cluster.Silos.Single(s => s != owner);
        var onOwner = owner.GrainFactory.GetGrain<IBenchGrain>(key);
        var fromOther = caller.GrainFactory.GetGrain<IBenchGrain>(key);
        await using var untimed = await TestCluster.StartAsync(1, s => s.AddGrain<IBenchGrain, BenchGrain>(), o => o.ResponseTimeout = Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        var withoutTimeout = untimed.Silos[0].GrainFactory.GetGrain<IBenchGrain>(key);
        IBenchGrain direct = new PlainBench();
        var payload = new byte[PayloadBytes];
        new Random(1).NextBytes(payload);

        var rows = new List<(string Name, double Ns, double Bytes)>
        {
            await MeasureAsync("direct interface call, no-op", 200_000, () => direct.Noop()).ConfigureAwait(false),
            await MeasureAsync("local activation, no-op", 200_000, () => onOwner.Noop()).ConfigureAwait(false),
            await MeasureAsync("local activation, no-op, no response timeout", 200_000, () => withoutTimeout.Noop()).ConfigureAwait(false),
            await MeasureAsync("cross-silo, no-op", 20_000, () => fromOther.Noop()).ConfigureAwait(false),
            await MeasureAsync("direct interface call, 4 MiB", 200_000, () => direct.Take(payload)).ConfigureAwait(false),
            await MeasureAsync("local activation, 4 MiB", 200_000, () => onOwner.Take(payload)).ConfigureAwait(false),
            await MeasureAsync("cross-silo, 4 MiB", 200, () => fromOther.Take(payload)).ConfigureAwait(false),
        };

        var output = context.Output;
        await output.WriteLineAsync("| call | ns/call (median of 5) | allocated bytes/call | vs direct |").ConfigureAwait(false);
        await output.WriteLineAsync("|---|---:|---:|---:|").ConfigureAwait(false);
        foreach (var (name, ns, bytes) in rows)
        {
            var baseline = name.Contains("no-op", StringComparison.Ordinal) ? rows[0].Ns : rows[4].Ns;
            await output.WriteLineAsync($"| {name} | {ns:N0} | {bytes:N0} | {ns / baseline:N1}x |").ConfigureAwait(false);
        }

        await output.WriteLineAsync(
            $"Cross-silo frames sent: {cluster.Transport.RequestsSent:N0}, request bytes: {cluster.Transport.RequestBytesSent:N0}.").ConfigureAwait(false);

        static async Task<(string, double, double)> MeasureAsync(string name, int calls, Func<Task> call)
        {
            for (var i = 0; i < Math.Min(calls, 2_000); i++)
            {
                await call().ConfigureAwait(false); // warm up: JIT, pools
            }

            var times = new double[5];
            double bytes = 0;
            for (var round = 0; round < times.Length; round++)
            {
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < calls; i++)
                {
                    await call().ConfigureAwait(false);
                }

                watch.Stop();
                times[round] = watch.Elapsed.TotalNanoseconds / calls;
                bytes = Math.Max(bytes, (double)(GC.GetTotalAllocatedBytes(precise: true) - allocated) / calls);
            }

            return (name, BenchContext.Median(times), bytes);
        }
    }

    /// <summary>The grain interface measured.</summary>
    public interface IBenchGrain : IGrainWithStringKey
    {
        Task Noop();

        Task<int> Take(byte[] payload);
    }

    private sealed class BenchGrain : Grain, IBenchGrain
    {
        public Task Noop() => Task.CompletedTask;

        public Task<int> Take(byte[] payload) => Task.FromResult(payload.Length);
    }

    private sealed class PlainBench : IBenchGrain
    {
        public Task Noop() => Task.CompletedTask;

        public Task<int> Take(byte[] payload) => Task.FromResult(payload.Length);
    }
}
