using System.Runtime.InteropServices;
using System.Text;
using Atelier.Onnx.Native;
using Microsoft.Extensions.Logging;

namespace Atelier.Onnx;

/// <summary>
/// A loaded model (<c>OrtSession</c>): its input/output metadata, the bytes its initializers
/// occupy, and <c>Run</c>. Runs may be issued from several threads at once.
/// </summary>
public sealed unsafe partial class InferenceSession : IDisposable
{
    private readonly OrtSessionHandle _handle;
    private readonly OnnxRuntimeEnvironment _environment;
    private readonly NameTable _names;
    private readonly Lock _allocatorGate = new();
    private readonly List<(OrtMemoryInfo Location, OrtAllocatorHandle Allocator)> _allocators = [];
    private readonly TensorCopier? _copier;

    private InferenceSession(OnnxRuntimeEnvironment environment, OrtSessionHandle handle, InferenceSessionOptions options, ExecutionProvider provider, long initializerBytes, bool withCopier)
    {
        _copier = withCopier ? new TensorCopier(CopierOptions(options, provider)) : null;
        _environment = environment;
        _handle = handle;
        ExecutionProvider = provider;
        InitializerBytes = initializerBytes;
        Inputs = ReadMetadata(isInput: true);
        Outputs = ReadMetadata(isInput: false);
        _names = new NameTable(Inputs, Outputs);
    }

    /// <summary>The model's inputs, in model order.</summary>
    public IReadOnlyList<NodeMetadata> Inputs { get; }

    /// <summary>The model's outputs, in model order.</summary>
    public IReadOnlyList<NodeMetadata> Outputs { get; }

    /// <summary>The provider the session runs on (CPU after a configured CUDA fallback).</summary>
    public ExecutionProvider ExecutionProvider { get; }

    /// <summary>Bytes of the model's initializers (weights), summed from the model file.</summary>
    public long InitializerBytes { get; }

    internal OrtSessionHandle Handle => _handle;

    internal OnnxRuntimeEnvironment Environment => _environment;

    private OrtApi Api => _environment.Api;

    /// <summary>Loads a model file.</summary>
    /// <exception cref="OnnxRuntimeException">ORT rejected the file (missing, corrupt, unsupported) or the provider.</exception>
    public static InferenceSession Load(string modelPath, InferenceSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        var environment = OnnxRuntimeEnvironment.Shared;
        var path = Encoding.UTF8.GetBytes(Path.GetFullPath(modelPath) + "\0");
        return Create(environment, options ?? new InferenceSessionOptions(), sessionOptions =>
        {
            nint raw;
            using var env = new HandleUse(environment.Handle);
            fixed (byte* pathPtr = path)
            {
                OrtStatus.Check(environment.Api.CreateSession(env.Raw, pathPtr, sessionOptions, &raw));
            }

            return raw;
        }, () => ModelInitializers.CountBytes(modelPath), withCopier: true);
    }

    /// <summary>Loads a model from its serialized bytes (ORT copies what it needs).</summary>
    /// <exception cref="OnnxRuntimeException">ORT rejected the bytes or the provider.</exception>
    public static InferenceSession Load(byte[] model, InferenceSessionOptions? options = null) => Load(model, options, withCopier: true);

    internal static InferenceSession Load(byte[] model, InferenceSessionOptions? options, bool withCopier)
    {
        ArgumentNullException.ThrowIfNull(model);
        var environment = OnnxRuntimeEnvironment.Shared;
        return Create(environment, options ?? new InferenceSessionOptions(), sessionOptions =>
        {
            nint raw;
            using var env = new HandleUse(environment.Handle);
            fixed (byte* data = model)
            {
                OrtStatus.Check(environment.Api.CreateSessionFromArray(env.Raw, data, (nuint)model.Length, sessionOptions, &raw));
            }

            return raw;
        }, () => ModelInitializers.CountBytes(model), withCopier);
    }

    /// <summary>
    /// A tensor allocated by this session's allocator for <paramref name="location"/>, e.g. CUDA device
    /// memory to bind as an input or output. On <see cref="OrtMemoryInfo.Cpu"/> this is host memory.
    /// </summary>
    public OrtValue AllocateTensor(OrtMemoryInfo location, TensorElementType type, ReadOnlySpan<long> shape)
    {
        ArgumentNullException.ThrowIfNull(location);
        var allocator = GetAllocator(location);
        using var use = new HandleUse(allocator);
        return OrtValue.Allocate(use.Raw, type, shape);
    }

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> (same type and shape)
    /// between host and this session's device, in either direction, through ORT's own transfers.
    /// </summary>
    public void CopyTensor(OrtValue source, OrtValue destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        source.EnsureSameTypeAndShape(destination);
        var copier = _copier ?? throw new InvalidOperationException("This internal session does not copy tensors.");
        copier.Copy(source, destination);
    }

    /// <summary>A new I/O binding for this session; dispose it before the session.</summary>
    public OrtIoBinding CreateIoBinding()
    {
        nint raw;
        using var session = new HandleUse(_handle);
        OrtStatus.Check(Api.CreateIoBinding(session.Raw, &raw));
        return new OrtIoBinding(this, new OrtIoBindingHandle(raw));
    }

    public void Dispose()
    {
        lock (_allocatorGate)
        {
            foreach (var (_, allocator) in _allocators)
            {
                allocator.Dispose();
            }

            _allocators.Clear();
        }

        _copier?.Dispose();
        _handle.Dispose();
        _names.Dispose();
    }

    private static InferenceSession Create(
        OnnxRuntimeEnvironment environment, InferenceSessionOptions options, Func<nint, nint> createSession, Func<long> countInitializerBytes, bool withCopier)
    {
        options.Validate();
        var provider = options.ExecutionProvider;
        OrtSessionOptionsHandle sessionOptions;
        try
        {
            sessionOptions = SessionOptionsFactory.Create(environment.Api, options, withCuda: provider == ExecutionProvider.Cuda);
        }
        catch (OnnxRuntimeException ex) when (provider == ExecutionProvider.Cuda && options.FallbackToCpu)
        {
            LogCudaFallback(environment.LoggerFactory.CreateLogger<InferenceSession>(), ex.Message);
            provider = ExecutionProvider.Cpu;
            sessionOptions = SessionOptionsFactory.Create(environment.Api, options, withCuda: false);
        }

        OrtSessionHandle handle;
        using (sessionOptions)
        {
            using var optionsUse = new HandleUse(sessionOptions);
            handle = new OrtSessionHandle(createSession(optionsUse.Raw));
        }

        try
        {
            return new InferenceSession(environment, handle, options, provider, countInitializerBytes(), withCopier);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The copier's sessions run on the provider this session actually got, with one thread.</summary>
    private static InferenceSessionOptions CopierOptions(InferenceSessionOptions options, ExecutionProvider provider) => new()
    {
        IntraOpThreads = 1,
        InterOpThreads = 1,
        ExecutionProvider = provider,
        Cuda = options.Cuda,
    };

    private OrtAllocatorHandle GetAllocator(OrtMemoryInfo location)
    {
        lock (_allocatorGate)
        {
            foreach (var (known, allocator) in _allocators)
            {
                if (ReferenceEquals(known, location))
                {
                    return allocator;
                }
            }

            nint raw;
            using var session = new HandleUse(_handle);
            using var memory = new HandleUse(location.Handle);
            OrtStatus.Check(Api.CreateAllocator(session.Raw, memory.Raw, &raw));
            var created = new OrtAllocatorHandle(raw);
            _allocators.Add((location, created));
            return created;
        }
    }

    private NodeMetadata[] ReadMetadata(bool isInput)
    {
        var api = Api;
        using var session = new HandleUse(_handle);
        nuint count;
        OrtStatus.Check(isInput ? api.SessionGetInputCount(session.Raw, &count) : api.SessionGetOutputCount(session.Raw, &count));
        var result = new NodeMetadata[(int)count];
        for (nuint i = 0; i < count; i++)
        {
            byte* name;
            OrtStatus.Check(isInput
                ? api.SessionGetInputName(session.Raw, i, _environment.DefaultAllocator, &name)
                : api.SessionGetOutputName(session.Raw, i, _environment.DefaultAllocator, &name));
            string text;
            try
            {
                text = Marshal.PtrToStringUTF8((nint)name) ?? string.Empty;
            }
            finally
            {
                OrtStatus.Check(api.AllocatorFree(_environment.DefaultAllocator, name));
            }

            nint typeInfo;
            OrtStatus.Check(isInput
                ? api.SessionGetInputTypeInfo(session.Raw, i, &typeInfo)
                : api.SessionGetOutputTypeInfo(session.Raw, i, &typeInfo));
            using var typeInfoHandle = new OrtTypeInfoHandle(typeInfo);
            nint tensorInfo;
            OrtStatus.Check(api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo));
            if (tensorInfo == 0)
            {
                result[(int)i] = new NodeMetadata(text, TensorElementType.Undefined, [], []);
                continue;
            }

            var (type, shape, symbols) = TensorInfo.Read(api, tensorInfo);
            result[(int)i] = new NodeMetadata(text, type, shape, symbols);
        }

        return result;
    }
}
