using System.Runtime.InteropServices;
using Atelier.Onnx.Native;

namespace Atelier.Onnx.Tests;

// These pin the OrtApi indices: a wrong index calls the wrong function and these fail or crash.
public sealed unsafe class OrtApiTableTests
{
    [Fact]
    public void Version_string_from_the_api_base_is_1_30()
    {
        var environment = TestRuntime.Environment;

        Assert.StartsWith("1.30", environment.Version, StringComparison.Ordinal);
        Assert.Equal(environment.Version, OrtLibrary.GetVersionString(environment.Library.Handle));
    }

    [Fact]
    public void Status_created_by_ORT_round_trips_code_and_message_through_the_status_helper()
    {
        var api = TestRuntime.Environment.Api;
        var message = "round trip é"u8.ToArray().Append((byte)0).ToArray();
        nint status;
        fixed (byte* text = message)
        {
            status = api.CreateStatus(OrtErrorCode.InvalidGraph, text);
        }

        var before = OnnxRuntimeEnvironment.LiveHandleCount;
        var error = Assert.Throws<OnnxRuntimeException>(() => OrtStatus.Check(status));

        Assert.Equal(OrtErrorCode.InvalidGraph, error.ErrorCode);
        Assert.Equal("round trip é", error.Message);
        Assert.Equal(before, OnnxRuntimeEnvironment.LiveHandleCount);
    }

    [Fact]
    public void Null_status_is_success()
    {
        _ = TestRuntime.Environment;

        OrtStatus.Check(0);
    }

    [Fact]
    public void Build_info_string_comes_from_its_table_entry()
    {
        var api = TestRuntime.Environment.Api;

        var info = Marshal.PtrToStringUTF8((nint)api.GetBuildInfoString());

        Assert.Contains("ORT Build Info", info, StringComparison.Ordinal);
    }

    [Fact]
    public void Available_providers_include_the_CPU_provider()
    {
        Assert.Contains("CPUExecutionProvider", TestRuntime.Environment.AvailableProviders);
    }

    [Fact]
    public void Requesting_an_api_version_newer_than_the_library_fails_with_a_clear_message()
    {
        var library = TestRuntime.Environment.Library;

        var error = Assert.Throws<OnnxRuntimeException>(() => OrtLibrary.GetApiTable(library.Handle, 1000, library.Path));

        Assert.Equal(OrtErrorCode.NotImplemented, error.ErrorCode);
        Assert.Contains("API version 1000", error.Message, StringComparison.Ordinal);
        Assert.Contains(library.Version, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_binding_requests_the_api_version_of_ONNX_Runtime_1_30()
    {
        var library = TestRuntime.Environment.Library;

        Assert.Equal(30u, OrtLibrary.ApiVersion);
        Assert.True(OrtLibrary.GetApiTable(library.Handle, OrtLibrary.ApiVersion, library.Path) != null);
    }
}
