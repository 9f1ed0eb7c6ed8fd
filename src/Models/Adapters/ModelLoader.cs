using System.Diagnostics;
using Atelier.Models.Manifest;
using Atelier.Models.Store;
using Atelier.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atelier.Models.Adapters;

/// <summary>
/// Creates the adapter for a registered model: verifies its files against the manifest checksums,
/// opens one ONNX Runtime session per file and wraps them in <see cref="SamModel"/>, <see cref="LamaModel"/>
/// or <see cref="IsnetModel"/>. Caching and sharing loaded models is the caller's job.
/// </summary>
public sealed partial class ModelLoader
{
    private readonly IModelStore _store;
    private readonly ModelLoaderOptions _options;
    private readonly ILogger<ModelLoader> _logger;

    public ModelLoader(IModelStore store, IOptions<ModelLoaderOptions> options, ILogger<ModelLoader> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _options = options.Value;
        _options.Lama.Validate();
        _options.SdInpaint.Validate();
        _options.Session.Validate();
        _logger = logger;
    }

    /// <summary>
    /// The execution provider models will run on. Throws when CUDA is configured but cannot be used and
    /// <see cref="InferenceSessionOptions.FallbackToCpu"/> is off: hosts call it at start-up so a GPU silo
    /// without CUDA refuses to start instead of failing on its first model.
    /// </summary>
    /// <exception cref="ExecutionProviderUnavailableException">The message names what is missing.</exception>
    public ExecutionProvider CheckExecutionProvider() => OnnxSessions.CheckExecutionProvider(_options.Session, _logger);

    /// <summary>Loads the model with id <paramref name="id"/>.</summary>
    /// <exception cref="ModelManifestException">No such model, a file is missing or does not match its checksum, or the model does not follow its kind's interface.</exception>
    public async Task<LoadedModel> LoadAsync(string id, CancellationToken cancellationToken)
    {
        var entry = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new ModelManifestException($"No model '{id}' is registered.");
        return await LoadAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="LoadAsync(string, CancellationToken)"/>
    public async Task<LoadedModel> LoadAsync(ModelEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (_options.VerifyChecksums)
            {
                await _store.VerifyAsync(entry, cancellationToken).ConfigureAwait(false);
            }

            // Session creation is CPU work (graph optimization, weight prepacking): keep it off the caller's thread.
            var model = await Task.Run(() => Create(entry), cancellationToken).ConfigureAwait(false);
            LogLoaded(_logger, entry.Id, ModelManifestValidator.Name(entry.Manifest.Kind), model.Bytes, model.ExecutionProvider.ToString(),
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return model;
        }
        catch (Exception e) when (e is ModelManifestException or OnnxRuntimeException)
        {
            LogLoadFailed(_logger, entry.Id, e.Message);
            throw;
        }
    }

    private LoadedModel Create(ModelEntry entry)
    {
        var manifest = entry.Manifest;
        switch (manifest.Kind)
        {
            case ModelKind.Sam:
                {
                    var (encoder, provider) = Open(entry, "encoder");
                    try
                    {
                        var (decoder, _) = Open(entry, "decoder");
                        try
                        {
                            return new SamModel(entry, provider, encoder, decoder, _options.Session.Cuda.DeviceId);
                        }
                        catch
                        {
                            decoder.Dispose();
                            throw;
                        }
                    }
                    catch
                    {
                        encoder.Dispose();
                        throw;
                    }
                }

            case ModelKind.Lama:
                return WithSession(entry, (session, provider) => new LamaModel(entry, provider, session, _options.Lama));
            case ModelKind.Isnet:
                return WithSession(entry, (session, provider) => new IsnetModel(entry, provider, session));
            case ModelKind.SdInpaint:
                return CreateSdInpaint(entry);
            case ModelKind.Onnx:
                return WithSession(entry, (session, provider) => new OnnxModel(entry, provider, session));
            default:
                throw new ModelManifestException($"Model '{entry.Id}': kind '{ModelManifestValidator.Name(manifest.Kind)}' has no adapter yet.");
        }
    }

    private SdInpaintModel CreateSdInpaint(ModelEntry entry)
    {
        var opened = new List<InferenceSession>(4);
        try
        {
            var provider = ExecutionProvider.Cpu;
            foreach (var role in SdInpaintRoles)
            {
                var (session, p) = Open(entry, role);
                opened.Add(session);
                provider = p;
            }

            return new SdInpaintModel(entry, provider, opened[0], opened[1], opened[2], opened[3], _options.SdInpaint);
        }
        catch
        {
            foreach (var session in opened)
            {
                session.Dispose();
            }

            throw;
        }
    }

    /// <summary>The ONNX files of an <c>sd-inpaint</c> model, in the order <see cref="SdInpaintModel"/> takes them.</summary>
    internal static readonly string[] SdInpaintRoles = ["text_encoder", "unet", "vae_encoder", "vae_decoder"];

    private LoadedModel WithSession(ModelEntry entry, Func<InferenceSession, ExecutionProvider, LoadedModel> create)
    {
        var (session, provider) = Open(entry, "model");
        try
        {
            return create(session, provider);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private (InferenceSession Session, ExecutionProvider Provider) Open(ModelEntry entry, string role)
    {
        var path = entry.PathOf(role);
        try
        {
            return OnnxSessions.Open(path, _options.Session, _logger);
        }
        catch (OnnxRuntimeException e)
        {
            // ORT names the absolute path; the message may reach a client, so it names the file within the model instead.
            var file = entry.Manifest.Files[role].Path;
            throw new ModelManifestException($"Model '{entry.Id}': {file}: ONNX Runtime cannot load it: {e.Message.Replace(path, file, StringComparison.Ordinal)}", e);
        }
    }
}
