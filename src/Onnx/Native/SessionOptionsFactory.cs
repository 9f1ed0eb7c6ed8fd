using System.Text;

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
            var pairs = cuda.ToProviderOptions();
            var keys = new byte[pairs.Count][];
            var values = new byte[pairs.Count][];
            for (var i = 0; i < pairs.Count; i++)
            {
                keys[i] = Encoding.UTF8.GetBytes(pairs[i].Key + "\0");
                values[i] = Encoding.UTF8.GetBytes(pairs[i].Value + "\0");
            }

            UpdateCudaOptions(api, raw, keys, values);
            OrtStatus.Check(api.SessionOptionsAppendExecutionProviderCudaV2(sessionOptions, raw));
        }
        catch (OnnxRuntimeException ex)
        {
            throw new OnnxRuntimeException(ex.ErrorCode, DescribeCudaFailure(ex.Message), ex);
        }
    }

    private static void UpdateCudaOptions(OrtApi api, nint cudaOptions, byte[][] keys, byte[][] values)
    {
        var keyHandles = new System.Runtime.InteropServices.GCHandle[keys.Length];
        var valueHandles = new System.Runtime.InteropServices.GCHandle[values.Length];
        var keyPointers = stackalloc byte*[keys.Length];
        var valuePointers = stackalloc byte*[values.Length];
        try
        {
            for (var i = 0; i < keys.Length; i++)
            {
                keyHandles[i] = System.Runtime.InteropServices.GCHandle.Alloc(keys[i], System.Runtime.InteropServices.GCHandleType.Pinned);
                valueHandles[i] = System.Runtime.InteropServices.GCHandle.Alloc(values[i], System.Runtime.InteropServices.GCHandleType.Pinned);
                keyPointers[i] = (byte*)keyHandles[i].AddrOfPinnedObject();
                valuePointers[i] = (byte*)valueHandles[i].AddrOfPinnedObject();
            }

            OrtStatus.Check(api.UpdateCudaProviderOptions(cudaOptions, keyPointers, valuePointers, (nuint)keys.Length));
        }
        finally
        {
            foreach (var h in keyHandles)
            {
                if (h.IsAllocated)
                {
                    h.Free();
                }
            }

            foreach (var h in valueHandles)
            {
                if (h.IsAllocated)
                {
                    h.Free();
                }
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
