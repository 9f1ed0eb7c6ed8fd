namespace Atelier.Onnx.Tests;

// This machine has no GPU and the CPU build of ONNX Runtime: the CUDA path must fail clearly,
// naming the provider library that is missing, and fall back only when configured to.
public sealed class ExecutionProviderTests
{
    [Fact]
    public void Cuda_without_its_provider_library_fails_naming_the_missing_file()
    {
        _ = TestRuntime.Environment;
        var before = OnnxRuntimeEnvironment.LiveHandleCount;
        var options = new InferenceSessionOptions
        {
            ExecutionProvider = ExecutionProvider.Cuda,
            Cuda = { DeviceId = 0, GpuMemoryLimitBytes = 2L << 30, ArenaExtendStrategy = CudaArenaExtendStrategy.SameAsRequested, CudnnConvAlgoSearch = CudnnConvAlgoSearch.Heuristic },
        };

        var error = Assert.Throws<OnnxRuntimeException>(() => InferenceSession.Load(TestModels.Add(), options));

        Assert.Contains("missing libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so in ", error.Message, StringComparison.Ordinal);
        Assert.Contains("ONNX Runtime: ", error.Message, StringComparison.Ordinal);
        Assert.IsType<OnnxRuntimeException>(error.InnerException);
        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
    }

    [Fact]
    public void Cuda_with_fallback_configured_runs_on_the_CPU_and_logs_why()
    {
        _ = TestRuntime.Environment;
        var options = new InferenceSessionOptions { ExecutionProvider = ExecutionProvider.Cuda, FallbackToCpu = true };

        using var session = InferenceSession.Load(TestModels.Add(), options);
        using var a = OrtValue.CreateTensor(new[] { 1f, 2f, 3f }, [1, 3]);
        using var y = session.Run(["a", "b"], [a, a], ["y"])[0];

        Assert.Equal(ExecutionProvider.Cpu, session.ExecutionProvider);
        Assert.Equal([2f, 4f, 6f], y.GetTensorSpan<float>().ToArray());
        Assert.Contains(TestRuntime.Log.Entries, e => e.EventId.Id == 200 && e.Message.Contains("libonnxruntime_providers_cuda.so", StringComparison.Ordinal));
    }

    [Fact]
    public void Cuda_options_out_of_range_are_rejected_before_ORT_is_called()
    {
        _ = TestRuntime.Environment;
        var options = new InferenceSessionOptions { ExecutionProvider = ExecutionProvider.Cuda, Cuda = { GpuMemoryLimitBytes = 0 } };

        Assert.Throws<ArgumentOutOfRangeException>(() => InferenceSession.Load(TestModels.Add(), options));
    }
}
