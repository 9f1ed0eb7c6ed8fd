using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Models.Onnx;

/// <summary>
/// Creates ONNX Runtime sessions from <see cref="InferenceSessionOptions"/> and runs them with cancellation: a
/// cancellable token sets <see cref="RunOptions.Terminate"/>, so ORT stops the run between kernels, and the run
/// surfaces as <see cref="OperationCanceledException"/> whose inner exception is ORT's error.
/// </summary>
public static partial class OnnxSessions
{
    /// <summary>The name ORT lists for the CUDA provider in <see cref="OrtEnv.GetAvailableProviders"/>.</summary>
    public const string CudaProviderName = "CUDAExecutionProvider";

    // Runs that cannot be cancelled share one RunOptions (ORT only reads it during a run).
    private static readonly RunOptions s_uncancellable = new();

    /// <summary>
    /// Opens the model at <paramref name="path"/>. Returns the session and the provider it really runs on
    /// (<see cref="ExecutionProvider.Cpu"/> after a configured CUDA fallback).
    /// </summary>
    /// <exception cref="ExecutionProviderUnavailableException">CUDA was asked for, cannot be added, and no fallback is configured.</exception>
    /// <exception cref="OnnxRuntimeException">ORT cannot load the model (missing, truncated, invalid).</exception>
    public static (InferenceSession Session, ExecutionProvider Provider) Open(string path, InferenceSessionOptions options, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var sessionOptions = CreateSessionOptions(options, out var provider, logger);
        return (new InferenceSession(path, sessionOptions), provider);
    }

    /// <inheritdoc cref="Open(string, InferenceSessionOptions, ILogger?)"/>
    public static (InferenceSession Session, ExecutionProvider Provider) Open(byte[] model, InferenceSessionOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var sessionOptions = CreateSessionOptions(options, out var provider, logger);
        return (new InferenceSession(model, sessionOptions), provider);
    }

    /// <summary>
    /// ORT's <see cref="SessionOptions"/> for <paramref name="options"/>: per-session threads disabled (the global pools of
    /// <see cref="OnnxRuntimeEnvironment"/>) unless configured otherwise, and the CUDA provider appended with
    /// <see cref="OrtCUDAProviderOptions"/> when asked for. The caller disposes the result.
    /// </summary>
    public static SessionOptions CreateSessionOptions(InferenceSessionOptions options, out ExecutionProvider provider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        OnnxRuntimeEnvironment.EnsureCreated();
        var sessionOptions = new SessionOptions();
        try
        {
            if (options.UseGlobalThreadPool)
            {
                sessionOptions.DisablePerSessionThreads();
            }
            else
            {
                sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
                sessionOptions.InterOpNumThreads = options.InterOpThreads;
            }

            sessionOptions.GraphOptimizationLevel = options.GraphOptimizationLevel;
            sessionOptions.ExecutionMode = options.ExecutionMode;
            sessionOptions.EnableCpuMemArena = options.EnableCpuMemoryArena;
            sessionOptions.EnableMemoryPattern = options.EnableMemoryPattern;
            provider = ExecutionProvider.Cpu;
            if (options.ExecutionProvider == ExecutionProvider.Cuda)
            {
                if (TryAppendCuda(sessionOptions, options.Cuda) is not { } reason)
                {
                    provider = ExecutionProvider.Cuda;
                }
                else if (options.FallbackToCpu)
                {
                    if (logger is not null)
                    {
                        LogCudaFallback(logger, reason);
                    }
                }
                else
                {
                    throw new ExecutionProviderUnavailableException(reason);
                }
            }

            return sessionOptions;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The provider sessions created with <paramref name="options"/> will run on; throws when CUDA is asked for but
    /// cannot be added and no fallback is configured. Run at start-up so a GPU silo without CUDA refuses to start.
    /// </summary>
    /// <exception cref="ExecutionProviderUnavailableException">The reason names what is missing.</exception>
    public static ExecutionProvider CheckExecutionProvider(InferenceSessionOptions options, ILogger? logger = null)
    {
        using var sessionOptions = CreateSessionOptions(options, out var provider, logger);
        return provider;
    }

    /// <summary>Runs <paramref name="session"/> on OrtValue inputs; the caller disposes the returned outputs.</summary>
    public static IDisposableReadOnlyCollection<OrtValue> Run(
        InferenceSession session, IReadOnlyCollection<string> inputNames, IReadOnlyCollection<OrtValue> inputs,
        IReadOnlyCollection<string> outputNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        cancellationToken.ThrowIfCancellationRequested();
        if (!cancellationToken.CanBeCanceled)
        {
            return session.Run(s_uncancellable, inputNames, inputs, outputNames);
        }

        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);
        try
        {
            return session.Run(runOptions, inputNames, inputs, outputNames);
        }
        catch (OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The ONNX Runtime run was terminated because it was cancelled.", e, cancellationToken);
        }
    }

    /// <summary>Runs <paramref name="session"/> with the inputs and outputs bound in <paramref name="binding"/>.</summary>
    public static void RunWithBinding(InferenceSession session, OrtIoBinding binding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        cancellationToken.ThrowIfCancellationRequested();
        if (!cancellationToken.CanBeCanceled)
        {
            session.RunWithBinding(s_uncancellable, binding);
            return;
        }

        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions);
        try
        {
            session.RunWithBinding(runOptions, binding);
        }
        catch (OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The ONNX Runtime run was terminated because it was cancelled.", e, cancellationToken);
        }
    }

    /// <summary>Appends the CUDA provider; returns null on success, else what is missing.</summary>
    private static string? TryAppendCuda(SessionOptions sessionOptions, CudaProviderOptions cuda)
    {
        var providers = OnnxRuntimeEnvironment.AvailableProviders;
        if (!providers.Contains(CudaProviderName))
        {
            return $"the ONNX Runtime in this build has no {CudaProviderName} (it has {string.Join(", ", providers)}): "
                + "it was built with the CPU package Microsoft.ML.OnnxRuntime; build or publish with -p:OnnxRuntime=Cuda "
                + "to use Microsoft.ML.OnnxRuntime.Gpu.Linux.";
        }

        try
        {
            using var providerOptions = new OrtCUDAProviderOptions();
            providerOptions.UpdateOptions(cuda.ToProviderOptions());
            sessionOptions.AppendExecutionProvider_CUDA(providerOptions);
            return null;
        }
        catch (OnnxRuntimeException e)
        {
            return "ONNX Runtime could not load its CUDA execution provider (libonnxruntime_providers_cuda.so of "
                + "Microsoft.ML.OnnxRuntime.Gpu.Linux 1.31 needs the CUDA 13 runtime, cuBLAS 13 and cuDNN 9 on the library path, "
                + $"and a visible GPU): {e.Message}";
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "CUDA requested but unavailable; the session runs on the CPU as configured (FallbackToCpu). {Reason}")]
    private static partial void LogCudaFallback(ILogger logger, string reason);
}
