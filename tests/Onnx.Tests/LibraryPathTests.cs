using Atelier.Onnx.Native;

namespace Atelier.Onnx.Tests;

public sealed class LibraryPathTests
{
    [Fact]
    public void Configured_path_wins_over_the_environment_variable()
    {
        var previous = Environment.GetEnvironmentVariable(OrtLibrary.PathVariable);
        try
        {
            Environment.SetEnvironmentVariable(OrtLibrary.PathVariable, "/from/environment/libonnxruntime.so.1");

            Assert.Equal("/configured/libonnxruntime.so.1", OrtLibrary.ResolvePath("/configured/libonnxruntime.so.1"));
            Assert.Equal("/from/environment/libonnxruntime.so.1", OrtLibrary.ResolvePath(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable(OrtLibrary.PathVariable, previous);
        }
    }

    [Fact]
    public void Without_option_or_variable_the_setup_cache_library_is_used()
    {
        var previous = Environment.GetEnvironmentVariable(OrtLibrary.PathVariable);
        try
        {
            Environment.SetEnvironmentVariable(OrtLibrary.PathVariable, null);

            Assert.Equal(Path.Combine(TestRuntime.CacheRoot, "native", "libonnxruntime.so.1"), OrtLibrary.ResolvePath(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable(OrtLibrary.PathVariable, previous);
        }
    }

    [Fact]
    public void The_loaded_library_is_the_setup_cache_copy()
    {
        Assert.Equal(Path.GetFullPath(Path.Combine(TestRuntime.CacheRoot, "native", "libonnxruntime.so.1")), TestRuntime.Environment.LibraryPath);
    }
}
