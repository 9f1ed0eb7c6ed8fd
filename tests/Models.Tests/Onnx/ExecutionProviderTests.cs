using Atelier.Models.Adapters;
using Atelier.Models.Onnx;
using Atelier.Models.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Tests.Onnx;

/// <summary>
/// Device=cuda on a build without a usable CUDA provider (the CPU package, as everywhere without a GPU): the
/// request must fail clearly, naming what is missing, and fall back to the CPU only when configured to.
/// </summary>
public sealed class ExecutionProviderTests
{
    private static InferenceSessionOptions Cuda(bool fallback = false) => new()
    {
        ExecutionProvider = ExecutionProvider.Cuda,
        FallbackToCpu = fallback,
        Cuda = { DeviceId = 0, GpuMemoryLimitBytes = 2L << 30, ArenaExtendStrategy = CudaArenaExtendStrategy.SameAsRequested, CudnnConvAlgoSearch = CudnnConvAlgoSearch.Heuristic },
    };

    [CpuPackageFact]
    public void Cuda_on_the_cpu_package_is_refused_naming_the_package_and_the_switch()
    {
        var error = Assert.Throws<ExecutionProviderUnavailableException>(() => OnnxSessions.Open(TestModels.Add(), Cuda()));

        Assert.Contains(OnnxSessions.CudaProviderName, error.Message, StringComparison.Ordinal);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", error.Message, StringComparison.Ordinal);
        Assert.Contains("-p:OnnxRuntime=Cuda", error.Message, StringComparison.Ordinal);
        Assert.Contains("FallbackToCpu", error.Message, StringComparison.Ordinal);
    }

    [CpuPackageFact]
    public void The_loader_start_up_check_refuses_cuda_without_fallback_and_accepts_the_cpu()
    {
        using var store = new TempStore();

        Assert.Throws<ExecutionProviderUnavailableException>(() => store.Loader(Cuda()).CheckExecutionProvider());
        Assert.Equal(ExecutionProvider.Cpu, store.Loader(Cuda(fallback: true)).CheckExecutionProvider());
        Assert.Equal(ExecutionProvider.Cpu, store.Loader(new InferenceSessionOptions()).CheckExecutionProvider());
    }

    [CpuPackageFact]
    public void Cuda_with_fallback_configured_runs_on_the_cpu_and_logs_why()
    {
        using var log = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(log));

        var (session, provider) = OnnxSessions.Open(TestModels.Add(), Cuda(fallback: true), factory.CreateLogger("test"));
        using (session)
        {
            using var a = OrtValue.CreateTensorValueFromMemory(new[] { 1f, 2f, 3f }, [1, 3]);
            using var outputs = OnnxSessions.Run(session, ["a", "b"], [a, a], ["y"], CancellationToken.None);

            Assert.Equal(ExecutionProvider.Cpu, provider);
            Assert.Equal([2f, 4f, 6f], outputs[0].GetTensorDataAsSpan<float>().ToArray());
        }

        Assert.Contains(log.Entries, e => e.EventId.Id == 200 && e.Level == LogLevel.Warning && e.Message.Contains(OnnxSessions.CudaProviderName, StringComparison.Ordinal));
    }

    [Fact]
    public void Options_out_of_range_are_rejected_before_ORT_is_called()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxSessions.Open(TestModels.Add(), new InferenceSessionOptions { ExecutionProvider = ExecutionProvider.Cuda, Cuda = { GpuMemoryLimitBytes = 0 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxSessions.Open(TestModels.Add(), new InferenceSessionOptions { ExecutionProvider = ExecutionProvider.Cuda, Cuda = { DeviceId = -1 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxSessions.Open(TestModels.Add(), new InferenceSessionOptions { UseGlobalThreadPool = false, IntraOpThreads = -1 }));
    }

    [Fact]
    public void Cuda_settings_become_the_provider_options_ORT_documents()
    {
        var options = Cuda().Cuda.ToProviderOptions();

        Assert.Equal("0", options["device_id"]);
        Assert.Equal((2L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture), options["gpu_mem_limit"]);
        Assert.Equal("kSameAsRequested", options["arena_extend_strategy"]);
        Assert.Equal("HEURISTIC", options["cudnn_conv_algo_search"]);
        Assert.False(new CudaProviderOptions().ToProviderOptions().ContainsKey("gpu_mem_limit"));
    }

    /// <summary>An empty model store for a loader.</summary>
    private sealed class TempStore : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("atelier-ep-").FullName;
        private readonly Store.FileSystemModelStore _store;

        public TempStore() => _store = new Store.FileSystemModelStore(
            Microsoft.Extensions.Options.Options.Create(new Store.ModelStoreOptions { RootPath = _root }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Store.FileSystemModelStore>.Instance);

        public ModelLoader Loader(InferenceSessionOptions session) => new(
            _store, Microsoft.Extensions.Options.Options.Create(new ModelLoaderOptions { Session = session }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ModelLoader>.Instance);

        public void Dispose()
        {
            _store.Dispose();
            Directory.Delete(_root, recursive: true);
        }
    }
}
