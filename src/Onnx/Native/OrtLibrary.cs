using System.Runtime.InteropServices;

namespace Atelier.Onnx.Native;

/// <summary>
/// The loaded <c>libonnxruntime.so.1</c>: its path, version and <see cref="OrtApi"/> table.
/// Loaded once per process by <see cref="OnnxRuntimeEnvironment"/>.
/// </summary>
internal sealed unsafe class OrtLibrary
{
    /// <summary>
    /// The <c>ORT_API_VERSION</c> this binding is written against: ONNX Runtime 1.30. Every index in
    /// <see cref="OrtApiIndex"/> is at or below this version's table length.
    /// </summary>
    public const uint ApiVersion = 30;

    /// <summary>Environment variable naming the library file; used when no option is set.</summary>
    public const string PathVariable = "ATELIER_ONNXRUNTIME_PATH";

    /// <summary>The library file name inside the setup cache's <c>native/</c> folder.</summary>
    public const string FileName = "libonnxruntime.so.1";

    private static OrtLibrary? s_current;

    private OrtLibrary(string path, nint handle, OrtApi api, string version)
    {
        Path = path;
        Handle = handle;
        Api = api;
        Version = version;
    }

    /// <summary>The loaded library, once <see cref="OnnxRuntimeEnvironment"/> has loaded it.</summary>
    public static OrtLibrary Current => s_current ?? throw new InvalidOperationException(
        "ONNX Runtime is not loaded yet; create an OnnxRuntimeEnvironment first.");

    /// <summary>The API table of the loaded library.</summary>
    public static OrtApi CurrentApi => Current.Api;

    public string Path { get; }

    /// <summary>The <see cref="NativeLibrary"/> handle (the library stays loaded for the process).</summary>
    public nint Handle { get; }

    public OrtApi Api { get; }

    /// <summary>The library's own version string, e.g. <c>1.30.0</c>.</summary>
    public string Version { get; }

    /// <summary>Loads the library named by the option, the environment variable or the setup cache.</summary>
    public static OrtLibrary Load(string? configuredPath)
    {
        if (s_current is { } loaded)
        {
            return loaded;
        }

        var path = ResolvePath(configuredPath);
        if (!File.Exists(path))
        {
            throw new OnnxRuntimeException(OrtErrorCode.NoSuchFile,
                $"ONNX Runtime library not found at '{path}'. Set OnnxRuntimeOptions.LibraryPath or {PathVariable}, or run './build.sh setup' to fill the cache.");
        }

        var handle = NativeLibrary.Load(path);
        var version = GetVersionString(handle);
        var table = GetApiTable(handle, ApiVersion, path);
        var library = new OrtLibrary(path, handle, new OrtApi(table), version);
        return Interlocked.CompareExchange(ref s_current, library, null) ?? library;
    }

    /// <summary>
    /// <c>OrtApiBase::GetApi(version)</c> of the library behind <paramref name="libraryHandle"/>;
    /// throws a clear error when the library is older than <paramref name="version"/>.
    /// </summary>
    internal static nint* GetApiTable(nint libraryHandle, uint version, string path)
    {
        // struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t version); const char* (*GetVersionString)(void); }
        var apiBase = GetApiBase(libraryHandle);
        var getApi = (delegate* unmanaged<uint, nint*>)apiBase[0];
        var table = getApi(version);
        if (table is null)
        {
            throw new OnnxRuntimeException(OrtErrorCode.NotImplemented,
                $"ONNX Runtime {GetVersionString(libraryHandle)} at '{path}' does not provide API version {version}; Atelier's binding is written against ONNX Runtime 1.{version} (ORT_API_VERSION {version}) and needs that version or newer.");
        }

        return table;
    }

    /// <summary><c>OrtApiBase::GetVersionString()</c>.</summary>
    internal static string GetVersionString(nint libraryHandle)
    {
        var getVersionString = (delegate* unmanaged<byte*>)GetApiBase(libraryHandle)[1];
        return Marshal.PtrToStringUTF8((nint)getVersionString()) ?? "unknown";
    }

    /// <summary><c>const OrtApiBase* OrtGetApiBase(void)</c>, exported by the library.</summary>
    private static nint* GetApiBase(nint libraryHandle)
    {
        var getApiBase = (delegate* unmanaged<nint*>)NativeLibrary.GetExport(libraryHandle, "OrtGetApiBase");
        return getApiBase();
    }

    /// <summary>Option, then <c>ATELIER_ONNXRUNTIME_PATH</c>, then <c>.atelier/native/libonnxruntime.so.1</c>.</summary>
    public static string ResolvePath(string? configuredPath)
    {
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            return System.IO.Path.GetFullPath(configuredPath);
        }

        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } fromEnvironment)
        {
            return System.IO.Path.GetFullPath(fromEnvironment);
        }

        var cache = AtelierCache.FindRoot() ?? throw new OnnxRuntimeException(OrtErrorCode.NoSuchFile,
            $"No ONNX Runtime library configured and no .atelier/ setup cache found. Set OnnxRuntimeOptions.LibraryPath or {PathVariable}, or run './build.sh setup'.");
        return System.IO.Path.Combine(cache, "native", FileName);
    }
}
