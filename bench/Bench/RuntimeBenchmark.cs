using System.Diagnostics;
using Atelier.Bench.Infrastructure;

namespace Atelier.Bench;

/// <summary>
/// Grain call overhead on Orleans: a direct interface call on a plain object (baseline), a call through a grain
/// reference to an activation on the calling silo, and a call to an activation on another silo of an in-process
/// cluster (Orleans' serializer + in-memory transport + the remote turn). Each for a no-op method and for a 4 MiB byte
/// payload. Calls are sequential (latency, not throughput). The old hand-written runtime's numbers are in
/// bench/results (runtime rows) and docs/benchmarks.md for comparison.
/// </summary>
internal sealed class RuntimeBenchmark : IBenchmark
{
    private const int PayloadBytes = 4 << 20;

    public string Name => "runtime";

    public string Description => "Orleans grain call overhead: direct vs local activation vs cross-silo (in-process cluster), no-op and 4 MiB payload";

    public async Task RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        await using var cluster = await InProcessSilos.StartAsync(2, _ => { }, cancellationToken).ConfigureAwait(false);
        var (first, second) = (cluster.Silos[0], cluster.Silos[1]);
        const string Key = "bench";
        var owner = first.Address.Equals(await first.GrainFactory.GetGrain<IBenchGrain>(Key).Where().ConfigureAwait(false)) ? first : second;
        var caller = owner == first ? second : first;
        var onOwner = owner.GrainFactory.GetGrain<IBenchGrain>(Key);
        var fromOther = caller.GrainFactory.GetGrain<IBenchGrain>(Key);
        IBenchGrain direct = new PlainBench();
        var payload = new byte[PayloadBytes];
        new Random(1).NextBytes(payload);

        var rows = new List<(string Name, double Ns, double Bytes)>
        {
            await MeasureAsync("direct interface call, no-op", 200_000, () => direct.Noop()).ConfigureAwait(false),
            await MeasureAsync("local activation, no-op", 200_000, () => onOwner.Noop()).ConfigureAwait(false),
            await MeasureAsync("cross-silo, no-op", 20_000, () => fromOther.Noop()).ConfigureAwait(false),
            await MeasureAsync("direct interface call, 4 MiB", 200_000, () => direct.Take(payload)).ConfigureAwait(false),
            await MeasureAsync("local activation, 4 MiB", 2_000, () => onOwner.Take(payload)).ConfigureAwait(false),
            await MeasureAsync("cross-silo, 4 MiB", 200, () => fromOther.Take(payload)).ConfigureAwait(false),
        };

        var output = context.Output;
        await output.WriteLineAsync("| call | ns/call (median of 5) | allocated bytes/call | vs direct |").ConfigureAwait(false);
        await output.WriteLineAsync("|---|---:|---:|---:|").ConfigureAwait(false);
        foreach (var (name, ns, bytes) in rows)
        {
            var baseline = name.Contains("no-op", StringComparison.Ordinal) ? rows[0].Ns : rows[3].Ns;
            await output.WriteLineAsync($"| {name} | {ns:N0} | {bytes:N0} | {ns / baseline:N1}x |").ConfigureAwait(false);
        }

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

        /// <summary>The silo the activation lives on.</summary>
        Task<SiloAddress> Where();
    }

    internal sealed class BenchGrain : Grain, IBenchGrain
    {
        public Task Noop() => Task.CompletedTask;

        public Task<int> Take(byte[] payload) => Task.FromResult(payload.Length);

        public Task<SiloAddress> Where() => Task.FromResult(GrainContext.Address.SiloAddress!);
    }

    private sealed class PlainBench : IBenchGrain
    {
        public Task Noop() => Task.CompletedTask;

        public Task<int> Take(byte[] payload) => Task.FromResult(payload.Length);

        public Task<SiloAddress> Where() => throw new NotSupportedException();
    }
}
