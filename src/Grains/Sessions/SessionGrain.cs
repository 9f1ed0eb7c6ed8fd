using Atelier.Grains.Hosting;
using Atelier.Grains.Memory;
using Atelier.Grains.Models;
using Atelier.Grains.Placement;
using Atelier.Grains.Storage;
using Atelier.Imaging;
using Atelier.Models.Adapters;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Atelier.Grains.Sessions;

/// <summary>
/// An editing session. Holds the current image and its SAM embedding (a lease of the silo's device
/// budget) so a click runs only the decoder. The durable part (uploaded image, applied versions,
/// metadata) is written through <see cref="ISessionStore"/>, so the session can be reactivated on another
/// silo; the embedding is a cache recomputed when missing. State lives in fields: Orleans runs one call at a time.
/// </summary>
[CollectionAgeLimit(Hours = 25)] // the session's own TTL timer ends it; never collect it earlier
[SessionPlacement] // where its segmenter is resident and device memory is free (see Placement/SessionPlacementDirector)
internal sealed partial class SessionGrain(
    ModelHost models,
    ISessionStore store,
    SessionRegistry registry,
    SiloIdentity silo,
    IClusterMembershipService membership,
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
    private bool _storeRead;
    private DateTimeOffset _lastAccess;
    private IGrainTimer? _ttlTimer;
    private bool _closed;

    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (ResumeMigrated())
        {
            registry.CountMigrated(); // arrived by migration with its state (see SessionGrain.Migration.cs)
        }

        return Task.CompletedTask; // otherwise the first call reads the store (see RestoreAsync)
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var live = _record is not null && !_closed;
        switch (reason.ReasonCode)
        {
            case DeactivationReasonCode.Migrating:
                LogDeactivating(logger, Id, reason.ReasonCode, migrating: live);
                return Task.CompletedTask; // OnDehydrate copies the state out, then releases it
            case DeactivationReasonCode.ShuttingDown when live && OtherSiloActive():
                // Drain: move to a surviving silo with the embedding instead of re-encoding there (see Migration.cs).
                LogDeactivating(logger, Id, reason.ReasonCode, migrating: true);
                this.MigrateOnIdle();
                return Task.CompletedTask;
            default:
                if (live)
                {
                    LogDeactivating(logger, Id, reason.ReasonCode, migrating: false);
                }

                ReleaseAll();
                return Task.CompletedTask;
        }
    }

    /// <summary>Whether an active silo other than this one exists to migrate to.</summary>
    private bool OtherSiloActive()
    {
        var self = GrainContext.Address.SiloAddress;
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && !member.SiloAddress.Equals(self))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A session opened earlier (perhaps on a silo that has since died) comes back from the store on its first call here;
    /// the open call of a freshly minted id skips the read (nothing can be stored yet, and it must open even while the
    /// store is unreachable). A store outage fails the call (503) and the next call reads again.
    /// </summary>
    private async Task RestoreAsync(CancellationToken cancellationToken)
    {
        if (_storeRead || _record is not null || _closed)
        {
            return;
        }

        if (string.Equals(CallContext.Get(CallContext.NewSession), Id, StringComparison.Ordinal))
        {
            _storeRead = true;
            return;
        }

        var record = await store.LoadAsync(Id, cancellationToken);
        _storeRead = true;
        if (record is null)
        {
            return;
        }

        _record = record;
        _history = NewHistory();
        _history.Reset(record.Versions, record.Current, record.FirstVersion, decodedCurrent: null);
        Started();
        _lowResLost = true; // a refine right after the failover runs as a plain click
        registry.CountRehomed();
        LogRestored(logger, Id, record.Versions.Count);
    }

    public async Task<SessionInfo> Open(ImageUpload upload, OpenSessionOptions openOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(openOptions);
        await RestoreAsync(cancellationToken);
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
                Tenant = CallContext.Get(CallContext.Tenant),
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
            await EnsureEmbeddingAsync(cancellationToken);
            await PersistAsync(cancellationToken);
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

    public async Task<SessionInfo> GetInfo(CancellationToken cancellationToken)
    {
        await TouchAsync(cancellationToken);
        return Info();
    }

    public async Task<SegmentResult> Segment(SegmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var record = await TouchAsync(cancellationToken);
        var started = time.GetTimestamp();
        var prompt = PromptValidator.ToPrompt(request, record.Width, record.Height, _options);
        var previous = request.Refine ? _lowRes : null;
        if (request.Refine && previous is null && !_lowResLost)
        {
            throw new InvalidPromptException("refine: there is no previous mask to refine; segment once without refine first.");
        }

        var embedding = await EnsureEmbeddingAsync(cancellationToken);
        IReadOnlyList<SamLowResMask> lowRes;
        using (var use = embedding.Lease.Use())
        {
            if (use.Tier == MemoryTier.Host && models.Memory.TryPromote(embedding.Lease))
            {
                embedding.Promote();
            }

            var input = embedding.ForDecoder(out var owned);
            try
            {
                // The decoder runs on the device (batched with other sessions' clicks when the model allows it); the
                // masks are then built at image size here, off the device slot.
                var output = request.Multimask ? SamMaskOutput.Multiple : SamMaskOutput.Single;
                using var sam = await models.AcquireAsync<SamModel>(record.Model, cancellationToken);
                lowRes = await models.RunBatchedAsync(
                    sam, "decode", RunPriority.Interactive, sam.Model.DecoderMaxBatch, new SamDecodeInput(input, prompt, output, previous),
                    static (model, requests, ct) => model.DecodeLowRes(requests, ct), cancellationToken);
            }
            finally
            {
                if (owned)
                {
                    input.Dispose();
                }
            }
        }

        var candidates = SamModel.ToCandidates(lowRes, embedding.Transform);
        try
        {
            var masks = new List<MaskResult>(candidates.Count);
            var rle = request.Encodings.HasFlag(MaskEncodings.Rle);
            Mask? best = null;
            foreach (var candidate in candidates)
            {
                var mask = request.Dilate > 1 ? MaskOps.Dilate(candidate.Mask, request.Dilate) : null;
                masks.Add(Describe(mask ?? candidate.Mask, candidate.PredictedIou, rle));
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
            return Select(best!, masks, started, png: request.Encodings.HasFlag(MaskEncodings.Png));
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
        await TouchAsync(cancellationToken);
        if (TryReplay(EditOperations.SelectSubject, out SegmentResult replay))
        {
            return replay;
        }

        var started = time.GetTimestamp();
        PromptValidator.CheckDilate(request.Dilate, _options);
        var image = _history!.Image;
        var mask = await models.RunAsync<IsnetModel, Mask>(
            _options.SubjectModel, "segment", RunPriority.Batch, (isnet, ct) => isnet.Segment(image, ct), cancellationToken);
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
        var record = await TouchAsync(cancellationToken);
        if (request.Apply && TryReplay(EditOperations.Erase, out EditResult replay))
        {
            return replay; // applied before under this key (perhaps by an activation on a silo that died since)
        }

        var started = time.GetTimestamp();
        PromptValidator.CheckDilate(request.Dilate, _options);
        using var mask = EditMask(request.MaskPng, record, request.Dilate);
        var image = _history!.Image;
        var edited = await models.RunAsync<LamaModel, RgbImage>(
            _options.EraseModel, "inpaint", RunPriority.Batch, (lama, ct) => lama.Inpaint(image, mask, ct), cancellationToken);
        return await FinishEditAsync(edited, request.Apply ? EditOperations.Erase : null, started, cancellationToken);
    }

    public async Task<SessionInfo> Undo(CancellationToken cancellationToken)
    {
        await TouchAsync(cancellationToken);
        if (TryReplay(EditOperations.Undo, out SessionInfo replay))
        {
            return replay;
        }

        _history!.Undo();
        await VersionChangedAsync(EditOperations.Undo, cancellationToken);
        return Info();
    }

    public async Task<SessionInfo> Redo(CancellationToken cancellationToken)
    {
        await TouchAsync(cancellationToken);
        if (TryReplay(EditOperations.Redo, out SessionInfo replay))
        {
            return replay;
        }

        _history!.Redo();
        await VersionChangedAsync(EditOperations.Redo, cancellationToken);
        return Info();
    }

    public async Task<EncodedImage> GetImage(ImageEncoding encoding, CancellationToken cancellationToken)
    {
        await TouchAsync(cancellationToken);
        var image = _history!.Image;
        return encoding == ImageEncoding.Jpeg
            ? new EncodedImage(JpegEncoder.Encode(image, 90), "image/jpeg") { Silo = silo.Name }
            : new EncodedImage(PngEncoder.Encode(image), "image/png") { Silo = silo.Name };
    }

    public async Task<SessionClosed> Close(CancellationToken cancellationToken)
    {
        await TouchAsync(cancellationToken);
        await CloseCoreAsync("closed", cancellationToken);
        return new SessionClosed(Id, silo.Name);
    }
}
