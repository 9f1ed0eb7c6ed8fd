using Atelier.Grains.Hosting;
using Atelier.Grains.Memory;
using Atelier.Grains.Models;
using Atelier.Grains.Storage;
using Atelier.Imaging;
using Atelier.Models.Adapters;
using Atelier.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atelier.Grains.Sessions;

/// <summary>
/// An editing session. Holds the current image and its SAM embedding (a lease of the silo's device
/// budget) so a click runs only the decoder. The durable part (uploaded image, applied versions,
/// metadata) is written through <see cref="ISessionStore"/>, so the session can be reactivated on another
/// silo; the embedding is a cache recomputed when missing. State lives in fields: the runtime runs one
/// call at a time.
/// </summary>
[CollectionAgeLimit(Hours = 25)] // the session's own TTL timer ends it; never collect it earlier
[ResourceAwarePlacement] // where its segmenter is resident and device memory is free (cluster mode; one silo otherwise)
internal sealed partial class SessionGrain(
    ModelHost models,
    ISessionStore store,
    SessionRegistry registry,
    SiloIdentity silo,
    IOptions<SessionOptions> options,
    IOptions<SessionCacheOptions> cacheOptions,
    TimeProvider time,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain
{
    private readonly SessionOptions _options = options.Value;
    private ImageHistory? _history;
    private StoredSession? _record;
    private CachedEmbedding? _embedding;
    private Mask? _selection;
    private float[]? _lowRes;
    private bool _lowResLost;
    private DateTimeOffset _lastAccess;
    private IGrainTimer? _ttlTimer;
    private bool _closed;

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (ResumeMigrated())
        {
            registry.CountMigrated();
            return; // arrived by migration with its state (see SessionGrain.Migration.cs)
        }

        // A session opened earlier (perhaps on a silo that has since died) comes back from the store. A session being
        // opened now has nothing there (and must open even while the store is unreachable).
        if (!IsNewGrain && await store.LoadAsync(Id, cancellationToken).ConfigureAwait(false) is { } record)
        {
            _record = record;
            _history = NewHistory();
            _history.Reset(record.Versions, record.Current, record.FirstVersion, decodedCurrent: null);
            Started();
            _lowResLost = true; // a refine right after the failover runs as a plain click
            registry.CountRehomed();
            LogRestored(logger, Id, record.Versions.Count);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (reason == DeactivationReason.Migrating)
        {
            return Task.CompletedTask; // OnDehydrate copies the state out, then releases it
        }

        ReleaseAll();
        return Task.CompletedTask;
    }

    public async Task<SessionInfo> Open(ImageUpload upload, OpenSessionOptions openOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(openOptions);
        if (_record is not null || _closed)
        {
            throw new InvalidPromptException($"Session '{Id}' already exists.");
        }

        var ttl = openOptions.Ttl ?? _options.DefaultTtl;
        if (ttl <= TimeSpan.Zero || ttl > _options.MaxTtl)
        {
            throw new InvalidPromptException($"ttl: must be 1..{(int)_options.MaxTtl.TotalSeconds} seconds.");
        }

        var model = openOptions.Model ?? _options.DefaultModel;
        var image = Decode(upload);
        var history = NewHistory();
        try
        {
            history.Reset([upload.Content], 0, 0, image);
            image = null; // owned by the history now
            var now = time.GetUtcNow();
            var record = new StoredSession
            {
                Id = Id,
                Tenant = RequestContext.Get(RequestContext.TenantKey),
                Model = model,
                Width = history.Image.Width,
                Height = history.Image.Height,
                CreatedAt = now,
                TtlSeconds = (int)Math.Ceiling(ttl.TotalSeconds),
                Current = 0,
                Versions = [upload.Content],
            };

            // The expensive step, once: fails the open (nothing kept) if the model is unknown or memory is short.
            _record = record;
            _history = history;
            await EnsureEmbeddingAsync(cancellationToken).ConfigureAwait(false);
            await PersistAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            image?.Dispose();
            _record = null;
            _history = null;
            history.Dispose();
            _embedding?.Dispose();
            _embedding = null;
            throw;
        }

        Started();
        registry.CountOpened();
        LogOpened(logger, Id, model, _record.Width, _record.Height);
        return Info();
    }

    public Task<SessionInfo> GetInfo(CancellationToken cancellationToken)
    {
        Touch();
        return Task.FromResult(Info());
    }

    public async Task<SegmentResult> Segment(SegmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var record = Touch();
        var started = time.GetTimestamp();
        var prompt = PromptValidator.ToPrompt(request, record.Width, record.Height, _options);
        var previous = request.Refine ? _lowRes : null;
        if (request.Refine && previous is null && !_lowResLost)
        {
            throw new InvalidPromptException("refine: there is no previous mask to refine; segment once without refine first.");
        }

        var embedding = await EnsureEmbeddingAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<SamMaskCandidate> candidates;
        using (var use = embedding.Lease.Use())
        {
            if (use.Tier == MemoryTier.Host && models.Memory.TryPromote(embedding.Lease))
            {
                embedding.Promote();
            }

            var input = embedding.ForDecoder(out var owned);
            try
            {
                var output = request.Multimask ? SamMaskOutput.Multiple : SamMaskOutput.Single;
                candidates = await models.RunAsync<SamModel, IReadOnlyList<SamMaskCandidate>>(
                    record.Model, "decode", RunPriority.Interactive,
                    (sam, ct) => sam.Decode(input, prompt, output, previous, ct), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (owned)
                {
                    input.Dispose();
                }
            }
        }

        try
        {
            var masks = new List<MaskResult>(candidates.Count);
            Mask? best = null;
            foreach (var candidate in candidates)
            {
                var mask = request.Dilate > 1 ? MaskOps.Dilate(candidate.Mask, request.Dilate) : null;
                masks.Add(Describe(mask ?? candidate.Mask, candidate.PredictedIou));
                if (best is null)
                {
                    best = mask ?? Copy(candidate.Mask);
                }
                else
                {
                    mask?.Dispose();
                }
            }

            _lowRes = candidates[0].LowResLogits;
            _lowResLost = false;
            return Select(best!, masks, started);
        }
        finally
        {
            foreach (var candidate in candidates)
            {
                candidate.Dispose();
            }
        }
    }

    public async Task<SegmentResult> SelectSubject(SelectSubjectRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Touch();
        if (TryReplay(EditOperations.SelectSubject, out SegmentResult replay))
        {
            return replay;
        }

        var started = time.GetTimestamp();
        PromptValidator.CheckDilate(request.Dilate, _options);
        var image = _history!.Image;
        var mask = await models.RunAsync<IsnetModel, Mask>(
            _options.SubjectModel, "segment", RunPriority.Batch, (isnet, ct) => isnet.Segment(image, ct), cancellationToken).ConfigureAwait(false);
        if (request.Dilate > 1)
        {
            var dilated = MaskOps.Dilate(mask, request.Dilate);
            mask.Dispose();
            mask = dilated;
        }

        _lowRes = null; // a subject mask has no SAM logits to refine
        _lowResLost = false;
        return Remember(EditOperations.SelectSubject, Select(mask, [Describe(mask, 1f)], started));
    }

    public async Task<EditResult> Erase(EraseRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var record = Touch();
        if (request.Apply && TryReplay(EditOperations.Erase, out EditResult replay))
        {
            return replay; // applied before under this key (perhaps by an activation on a silo that died since)
        }

        var started = time.GetTimestamp();
        PromptValidator.CheckDilate(request.Dilate, _options);
        using var mask = EditMask(request.MaskPng, record, request.Dilate);
        var image = _history!.Image;
        var edited = await models.RunAsync<LamaModel, RgbImage>(
            _options.EraseModel, "inpaint", RunPriority.Batch, (lama, ct) => lama.Inpaint(image, mask, ct), cancellationToken).ConfigureAwait(false);
        return await FinishEditAsync(edited, request.Apply ? EditOperations.Erase : null, started, cancellationToken).ConfigureAwait(false);
    }

    public Task<EditResult> Replace(ReplaceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Touch();
        if (string.IsNullOrWhiteSpace(request.Prompt) || request.Prompt.Length > _options.MaxPromptLength)
        {
            throw new InvalidPromptException($"prompt: must be 1..{_options.MaxPromptLength} characters.");
        }

        PromptValidator.CheckDilate(request.Dilate, _options);
        // Text-guided inpainting arrives with the sd-inpaint issue; until then the request is well-formed but unservable.
        throw new ModelNotAvailableException(
            "Text-guided inpainting needs an 'sd-inpaint' model, and this version serves none yet. Use erase instead.");
    }

    public async Task<SessionInfo> Undo(CancellationToken cancellationToken)
    {
        Touch();
        if (TryReplay(EditOperations.Undo, out SessionInfo replay))
        {
            return replay;
        }

        _history!.Undo();
        await VersionChangedAsync(EditOperations.Undo, cancellationToken).ConfigureAwait(false);
        return Info();
    }

    public async Task<SessionInfo> Redo(CancellationToken cancellationToken)
    {
        Touch();
        if (TryReplay(EditOperations.Redo, out SessionInfo replay))
        {
            return replay;
        }

        _history!.Redo();
        await VersionChangedAsync(EditOperations.Redo, cancellationToken).ConfigureAwait(false);
        return Info();
    }

    public Task<EncodedImage> GetImage(ImageEncoding encoding, CancellationToken cancellationToken)
    {
        Touch();
        var image = _history!.Image;
        return Task.FromResult(encoding == ImageEncoding.Jpeg
            ? new EncodedImage(JpegEncoder.Encode(image, 90), "image/jpeg") { Silo = silo.Name }
            : new EncodedImage(PngEncoder.Encode(image), "image/png") { Silo = silo.Name });
    }

    public async Task<SessionClosed> Close(CancellationToken cancellationToken)
    {
        Touch();
        await CloseCoreAsync("closed", cancellationToken).ConfigureAwait(false);
        return new SessionClosed(Id, silo.Name);
    }
}
