using Atelier.Models.Onnx;

namespace Atelier.Models.Tests.Support;

/// <summary>What this test process's ONNX Runtime can do: the package flavour and whether a CUDA device is visible.</summary>
internal static class OnnxRuntimeFlavour
{
    public static bool HasCudaProvider { get; } = OnnxRuntimeEnvironment.AvailableProviders.Contains(OnnxSessions.CudaProviderName);

    /// <summary>A CUDA device node of the NVIDIA driver (Linux).</summary>
    public static bool HasCudaDevice { get; } = File.Exists("/dev/nvidia0");
}

/// <summary>A fact about the CPU package (the default flavour); skipped, with the reason, in a -p:OnnxRuntime=Cuda build.</summary>
public sealed class CpuPackageFactAttribute : FactAttribute
{
    public CpuPackageFactAttribute()
    {
        if (OnnxRuntimeFlavour.HasCudaProvider)
        {
            Skip = "This build carries the CUDA package (-p:OnnxRuntime=Cuda); the fact is about the CPU package.";
        }
    }
}

/// <summary>A fact that needs a CUDA GPU and the CUDA package; skipped, with the reason, everywhere else.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!OnnxRuntimeFlavour.HasCudaDevice)
        {
            Skip = "No CUDA device on this machine (/dev/nvidia0 is absent); run on a GPU machine with -p:OnnxRuntime=Cuda.";
        }
        else if (!OnnxRuntimeFlavour.HasCudaProvider)
        {
            Skip = "This build carries the CPU package; build the tests with -p:OnnxRuntime=Cuda to run the GPU path.";
        }
    }
}
