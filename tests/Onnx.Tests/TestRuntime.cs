using Microsoft.Extensions.Logging;

namespace Atelier.Onnx.Tests;

/// <summary>
/// The test process's ONNX Runtime environment, created once from the setup cache with ORT's log
/// recorded, so tests can check what ORT said.
/// </summary>
internal static class TestRuntime
{
    private static readonly Lazy<OnnxRuntimeEnvironment> s_environment = new(Create);

    public static RecordingLoggerProvider Log { get; } = new();

    public static OnnxRuntimeEnvironment Environment => s_environment.Value;

    /// <summary>The setup cache (<c>.atelier/</c>); fails the test with instructions when it is missing.</summary>
    public static string CacheRoot
    {
        get
        {
            var root = AtelierCache.FindRoot();
            if (root is null || !File.Exists(Path.Combine(root, "native", "libonnxruntime.so.1")))
            {
                Assert.Fail("The setup cache (.atelier/ with native/libonnxruntime.so.1, assets/ and node/) is missing. Run `./build.sh test`, which runs setup first.");
            }

            return root!;
        }
    }

    public static string Asset(string fileName)
    {
        var path = Path.Combine(CacheRoot, "assets", fileName);
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} is missing from the setup cache. Run `./build.sh test`, which runs setup first.");
        }

        return path;
    }

    private static OnnxRuntimeEnvironment Create()
    {
        _ = CacheRoot;
        var factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(Log));
        var environment = OnnxRuntimeEnvironment.Initialize(new OnnxRuntimeOptions { LogLevel = LogLevel.Warning }, factory);

        // Create the process-lifetime CPU memory description up front, so that live-handle counts
        // taken by tests do not depend on which test happened to create it first.
        _ = OrtMemoryInfo.Cpu;
        return environment;
    }
}
