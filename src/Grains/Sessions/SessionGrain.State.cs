using System.Diagnostics;
using Atelier.Grains.Memory;
using Atelier.Grains.Models;
using Atelier.Grains.Storage;
using Atelier.Imaging;
using Atelier.Models.Adapters;

namespace Atelier.Grains.Sessions;

internal sealed partial class SessionGrain
{
    private ImageHistory NewHistory() =>
        new(_options.MaxHistoryVersions, _options.MaxHistoryBytes, new ImageDecodeOptions());

    private static RgbImage Decode(ImageUpload upload)
    {
        try
        {
            return ImageDecoder.Decode(upload.Content, upload.DeclaredContentType);
        }
        catch (ImageFormatException e)
        {
            throw ImagingErrors.Translate(e);
        }
    }

    /// <summary>Common to open and reactivation: count the session and start its TTL clock.</summary>
    private void Started()
    {
        registry.Activated();
        System.Diagnostics.Activity.Current?.SetTag(Diagnostics.ModelTelemetry.SessionIdTag, Id);
        _lastAccess = time.GetUtcNow();
        var period = cacheOptions.Value.TtlCheckPeriod;
        _ttlTimer = this.RegisterGrainTimer(CheckTtlAsync, period, period);
    }

    /// <summary>Every call: the session must exist (restored from the store on a first call here) and belong to the
    /// caller's tenant; extends the TTL.</summary>
    private async Task<StoredSession> TouchAsync(CancellationToken cancellationToken)
    {
        await RestoreAsync(cancellationToken);
        var tenant = CallContext.Get(CallContext.Tenant);
        if (_record is null || _closed || !string.Equals(_record.Tenant, tenant, StringComparison.Ordinal))
        {
            if (_record is null && !_closed)
            {
                // An id nobody opened (or whose session is gone from the store): do not keep an empty activation, and
                // its directory entry, for the whole collection age.
                DeactivateOnIdle();
            }

            // Another tenant's session answers exactly like an unknown one.
            throw new SessionNotFoundException($"Session '{Id}' not found.");
        }

        _lastAccess = time.GetUtcNow();
        System.Diagnostics.Activity.Current?.SetTag(Diagnostics.ModelTelemetry.SessionIdTag, Id);
        return _record;
    }

    private SessionInfo Info()
    {
        var record = _record!;
        var history = _history!;
        var residency = _embedding is null || _embedding.Version != history.Current
            ? EmbeddingResidency.None
            : _embedding.Lease.Tier switch
            {
                MemoryTier.Device => EmbeddingResidency.Device,
                MemoryTier.Host => EmbeddingResidency.Host,
                _ => EmbeddingResidency.None,
            };
        return new SessionInfo(
            record.Id,
            record.Width,
            record.Height,
            record.Model,
            history.Trimmed + history.Current,
            history.CanUndo,
            history.CanRedo,
            residency,
            record.CreatedAt,
            _lastAccess + TimeSpan.FromSeconds(record.TtlSeconds),
            record.TtlSeconds,
            silo.Name);
    }

    /// <summary>
    /// The embedding of the current image version: the cached one when it is still there (on the device or
    /// demoted to host), else the encoder runs (once per image version) and the result is cached under a
    /// device-memory lease. A demoted embedding is promoted by the caller inside its use scope.
    /// </summary>
    private async Task<CachedEmbedding> EnsureEmbeddingAsync(CancellationToken cancellationToken)
    {
        var version = _history!.Current;
        if (_embedding is { } cached && cached.Version == version && !cached.Lease.IsReleased && cached.Lease.Tier != MemoryTier.Dropped)
        {
            return cached;
        }

        _embedding?.Dispose();
        _embedding = null;
        var image = _history.Image;
        var model = _record!.Model;
        try
        {
            using var sam = await models.AcquireAsync<SamModel>(model, cancellationToken);
            var embedding = await models.RunAsync(
                sam, "encode", RunPriority.Batch, (m, ct) => m.Encode(image, ct), cancellationToken);
            try
            {
                _embedding = CachedEmbedding.Create(models.Memory, $"{Id}/embedding", embedding, version, cacheOptions.Value.EmbeddingPrecision);
            }
            catch
            {
                embedding.Dispose();
                throw;
            }
        }
        catch (DeviceMemoryExhaustedException e)
        {
            throw new OverloadedException($"Not enough device memory for session '{Id}': {e.Message}", e);
        }

        return _embedding;
    }

    private static MaskResult Describe(Mask mask, float score, bool rle = true)
    {
        var box = MaskOps.BoundingBox(mask);
        CocoRle? encoded = rle ? RleCodec.Encode(mask) : null;
        return new MaskResult(
            score,
            MaskOps.Area(mask),
            box is { } b ? [b.X, b.Y, b.Width, b.Height] : [0, 0, 0, 0],
            encoded is { } e ? new RleMask([e.Height, e.Width], e.Counts) : null);
    }

    private static Mask Copy(Mask mask)
    {
        var copy = new Mask(mask.Width, mask.Height, clear: false);
        mask.Data.CopyTo(copy.Data);
        return copy;
    }

    /// <summary>
    /// Makes <paramref name="best"/> (owned from now on) the selection and builds the response; the PNG of the best mask
    /// only when <paramref name="png"/>.
    /// </summary>
    private SegmentResult Select(Mask best, IReadOnlyList<MaskResult> masks, long started, bool png = true)
    {
        _selection?.Dispose();
        _selection = best;
        return new SegmentResult(masks, png ? PngEncoder.Encode(best) : [], time.GetElapsedTime(started).TotalMilliseconds) { Silo = silo.Name };
    }

    /// <summary>The mask an edit applies to: a supplied PNG at the image size, or the current selection; then dilated.</summary>
    private Mask EditMask(byte[]? maskPng, StoredSession record, int dilate)
    {
        Mask mask;
        if (maskPng is not null)
        {
            try
            {
                mask = ImageDecoder.DecodeMask(maskPng);
            }
            catch (ImageFormatException e)
            {
                throw new InvalidPromptException($"mask: not a readable mask image ({e.Message}).", e);
            }

            if (mask.Width != record.Width || mask.Height != record.Height)
            {
                var size = $"{mask.Width}x{mask.Height}";
                mask.Dispose();
                throw new InvalidPromptException($"mask: is {size}, the image is {record.Width}x{record.Height}.");
            }
        }
        else
        {
            mask = _selection is null
                ? throw new NoSelectionException("mask: there is no selection yet; segment or select-subject first, or send a mask.")
                : Copy(_selection);
        }

        if (dilate > 1)
        {
            var dilated = MaskOps.Dilate(mask, dilate);
            mask.Dispose();
            return dilated;
        }

        return mask;
    }

    /// <summary>Encodes an edit's result; with <paramref name="appliedAs"/> (the operation) it becomes a new version.</summary>
    private async Task<EditResult> FinishEditAsync(RgbImage edited, string? appliedAs, long started, CancellationToken cancellationToken)
    {
        byte[] png;
        try
        {
            png = PngEncoder.Encode(edited);
        }
        catch
        {
            edited.Dispose();
            throw;
        }

        if (appliedAs is null)
        {
            edited.Dispose();
            return new EditResult(png, Info(), time.GetElapsedTime(started).TotalMilliseconds);
        }

        _history!.Push(edited, png);
        await VersionChangedAsync(appliedAs, cancellationToken);
        return new EditResult(png, Info(), time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// After an applied edit, undo or redo: persist (with the caller's idempotency key, in the same write), drop the
    /// selection, refresh the embedding if configured.
    /// </summary>
    private async Task VersionChangedAsync(string operation, CancellationToken cancellationToken)
    {
        var history = _history!;
        _record = _record! with
        {
            Current = history.Current,
            Versions = [.. history.Encoded],
            FirstVersion = history.Trimmed,
            AppliedEdits = AppliedEditsWith(operation, history.Trimmed + history.Current),
        };
        await PersistAsync(cancellationToken);
        _selection?.Dispose();
        _selection = null;
        _lowRes = null;
        _lowResLost = false;
        if (_embedding is { } cached && cached.Version != history.Current)
        {
            cached.Dispose();
            _embedding = null;
        }

        if (_options.EagerReencode)
        {
            await EnsureEmbeddingAsync(cancellationToken);
        }
    }

    private async Task CheckTtlAsync(CancellationToken cancellationToken)
    {
        if (_record is null || _closed)
        {
            return;
        }

        if (time.GetUtcNow() - _lastAccess >= TimeSpan.FromSeconds(_record.TtlSeconds))
        {
            await CloseCoreAsync("expired", cancellationToken);
        }
    }

    private async Task CloseCoreAsync(string reason, CancellationToken cancellationToken)
    {
        await store.DeleteAsync(Id, cancellationToken);
        registry.CountEnded(expired: reason == "expired");
        LogEnded(logger, Id, reason);
        ReleaseAll();
        _closed = true;
        DeactivateOnIdle();
    }

    /// <summary>Frees every accounted byte and buffer this activation holds.</summary>
    private void ReleaseAll()
    {
        if (_record is not null && !_closed)
        {
            registry.Deactivated();
        }

        _ttlTimer?.Dispose();
        _ttlTimer = null;
        StopStoreRetry();
        _embedding?.Dispose();
        _embedding = null;
        _selection?.Dispose();
        _selection = null;
        _history?.Dispose();
        _lowRes = null;
        Debug.Assert(_embedding is null);
    }
}
