using System.Runtime.InteropServices;

namespace Atelier.Onnx.Native;

/// <summary>Turns <see cref="InferenceSessionOptions"/> into a native <c>OrtSessionOptions</c>.</summary>
internal static unsafe class SessionOptionsFactory
{
    /// <summary>Creates the native options, CPU only or with the CUDA provider appended.</summary>
    /// <exception cref="OnnxRuntimeException">The CUDA provider could not be added.</exception>
    public static OrtSessionOptionsHandle Create(OrtApi api, InferenceSessionOptions options, bool withCuda)
    {
        nint raw;
        OrtStatus.Check(api.CreateSessionOptions(&raw));
        var handle = new OrtSessionOptionsHandle(raw);
        try
        {
            OrtStatus.Check(api.SetIntraOpNumThreads(raw, options.IntraOpThreads));
            OrtStatus.Check(api.SetInterOpNumThreads(raw, options.InterOpThreads));
            OrtStatus.Check(api.SetSessionGraphOptimizationLevel(raw, (int)options.GraphOptimizationLevel));
            OrtStatus.Check(api.SetSessionExecutionMode(raw, (int)options.ExecutionMode));
            OrtStatus.Check(options.EnableCpuMemoryArena ? api.EnableCpuMemArena(raw) : api.DisableCpuMemArena(raw));
            OrtStatus.Check(options.EnableMemoryPattern ? api.EnableMemPattern(raw) : api.DisableMemPattern(raw));
            if (withCuda)
            {
                AppendCuda(api, raw, options.Cuda);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <param name="api">The API table.</param>
    /// <param name="sessionOptions"><c>OrtSessionOptions*</c> to append the provider to.</param>
    /// <param name="cuda">The provider settings.</param>
    private static void AppendCuda(OrtApi api, nint sessionOptions, CudaProviderOptions cuda)
    {
        try
        {
            nint raw;
            OrtStatus.Check(api.CreateCudaProviderOptions(&raw));
            using var cudaOptions = new OrtCudaProviderOptionsHandle(raw);
            UpdateCudaOptions(api, raw, cuda.ToProviderOptions());
            OrtStatus.Check(api.SessionOptionsAppendExecutionProviderCudaV2(sessionOptions, raw));
        }
        catch (OnnxRuntimeException ex)
        {
            throw new OnnxRuntimeException(ex.ErrorCode, DescribeCudaFailure(ex.Message), ex);
        }
    }

    private static void UpdateCudaOptions(OrtApi api, nint cudaOptions, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        var keys = stackalloc byte*[pairs.Count];
        var values = stackalloc byte*[pairs.Count];
        new Span<nint>(keys, pairs.Count).Clear();
        new Span<nint>(values, pairs.Count).Clear();
        try
        {
            for (var i = 0; i < pairs.Count; i++)
            {
                keys[i] = (byte*)Marshal.StringToCoTaskMemUTF8(pairs[i].Key);
                values[i] = (byte*)Marshal.StringToCoTaskMemUTF8(pairs[i].Value);
            }

            OrtStatus.Check(api.UpdateCudaProviderOptions(cudaOptions, keys, values, (nuint)pairs.Count));
        }
        finally
        {
            for (var i = 0; i < pairs.Count; i++)
            {
                Marshal.FreeCoTaskMem((nint)keys[i]);
                Marshal.FreeCoTaskMem((nint)values[i]);
            }
        }
    }

    /// <summary>Says which provider files are missing, when that is the cause, ahead of ORT's own message.</summary>
    internal static string DescribeCudaFailure(string ortMessage)
    {
        var folder = Path.GetDirectoryName(OrtLibrary.Current.Path) ?? ".";
        var missing = new List<string>(2);
        foreach (var file in (ReadOnlySpan<string>)[CudaProviderOptions.ProviderLibraryFileName, CudaProviderOptions.SharedProviderLibraryFileName])
        {
            if (!File.Exists(Path.Combine(folder, file)))
            {
                missing.Add(file);
            }
        }

        return missing.Count == 0
            ? $"The CUDA execution provider could not be added (its provider libraries are present in {folder}). ONNX Runtime: {ortMessage}"
            : $"The CUDA execution provider is not available: missing {string.Join(" and ", missing)} in {folder} (they ship with ONNX Runtime's CUDA build, next to libonnxruntime.so.1). ONNX Runtime: {ortMessage}";
    }
}
