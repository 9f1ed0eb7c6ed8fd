using Atelier.Grains.Models;
using Atelier.Imaging;
using Atelier.Models.Adapters;

namespace Atelier.Grains.Sessions;

/// <summary>
/// Replace: text-guided inpainting with the configured <c>sd-inpaint</c> model, inside the session's call (Orleans runs
/// nothing else on this session meanwhile). The run is split so the device is shared fairly and progress can be
/// reported: one batch-priority run for the preparation (framing, VAE encoder, text encoder), one per denoising step,
/// one for the decoder — clicks of other sessions, at interactive priority, go first between them. A cancelled token
/// (client gone, gRPC cancel) or <see cref="CancelReplace"/> (a close on its way) stops the run between steps (or inside
/// ORT) and nothing of the session changes; only a finished, applied run becomes a new version.
/// </summary>
internal sealed partial class SessionGrain
{
    public Task<EditResult> Replace(ReplaceRequest request, CancellationToken cancellationToken) =>
        ReplaceCoreAsync(request, null, cancellationToken);

    public Task<EditResult> ReplaceObserved(ReplaceRequest request, IReplaceObserver progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return ReplaceCoreAsync(request, progress, cancellationToken);
    }

    /// <summary>The running replace's cancellation (linked to its caller's token); null when none runs.</summary>
    private CancellationTokenSource? _replaceCancel;

    public Task<bool> CancelReplace(CancellationToken cancellationToken)
    {
        // Interleaved with a running replace: only signal it. Another tenant cannot reach it (its calls fail before
        // a replace starts, and here the tenant must match).
        if (_replaceCancel is not { } running || _record is null
            || !string.Equals(_record.Tenant, CallContext.Get(CallContext.Tenant), StringComparison.Ordinal))
        {
            return Task.FromResult(false);
        }

        running.Cancel();
        return Task.FromResult(true);
    }

    private async Task<EditResult> ReplaceCoreAsync(ReplaceRequest request, IReplaceObserver? progress, CancellationToken callerToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        _replaceCancel = cancel;
        try
        {
            return await RunReplaceAsync(request, progress, cancel.Token);
        }
        catch (OperationCanceledException e) when (!callerToken.IsCancellationRequested)
        {
            throw new SessionNotFoundException($"Session '{Id}' was closed while the replace ran; nothing was applied.", e);
        }
        finally
        {
            _replaceCancel = null;
        }
    }

    private async Task<EditResult> RunReplaceAsync(ReplaceRequest request, IReplaceObserver? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var record = await TouchAsync(cancellationToken);
        if (request.Apply && TryReplay(EditOperations.Replace, out EditResult replay))
        {
            return replay;
        }

        var started = time.GetTimestamp();
        CheckReplace(request);
        using var mask = EditMask(request.MaskPng, record, request.Dilate);
        if (MaskOps.BoundingBox(mask) is null)
        {
            throw new InvalidPromptException("mask: is empty; select something to replace.");
        }

        ModelUse<SdInpaintModel> use;
        try
        {
            use = await models.AcquireAsync<SdInpaintModel>(_options.ReplaceModel, cancellationToken);
        }
        catch (ModelNotFoundException e)
        {
            throw new ModelNotAvailableException(
                $"Text-guided inpainting needs the 'sd-inpaint' model '{_options.ReplaceModel}' (Sessions:ReplaceModel), and it is not registered.", e);
        }

        using (use)
        {
            if (request.Steps > use.Model.MaxSteps)
            {
                throw new InvalidPromptException($"steps: this model has {use.Model.MaxSteps} training timesteps; ask for at most that many steps.");
            }

            var image = _history!.Image;
            var parameters = new SdInpaintParameters(
                request.Prompt, request.NegativePrompt, request.Steps, request.Guidance, request.Seed ?? Random.Shared.NextInt64());
            using var run = await models.RunAsync(
                use, "replace-prepare", RunPriority.Batch, (sd, ct) => sd.Prepare(image, mask, parameters, ct), cancellationToken);
            while (run.StepsDone < run.Steps)
            {
                await models.RunAsync(use, "replace-step", RunPriority.Batch, (sd, ct) =>
                {
                    sd.Step(run, ct);
                    return run.StepsDone;
                }, cancellationToken);
                progress = await ReportAsync(progress, new ReplaceProgress(run.StepsDone, run.Steps), cancellationToken);
            }

            var edited = await models.RunAsync(
                use, "replace-decode", RunPriority.Batch, (sd, ct) => sd.Finish(run, image, ct), cancellationToken);
            LogReplaced(logger, Id, run.Steps, time.GetElapsedTime(started).TotalMilliseconds);
            return await FinishEditAsync(edited, request.Apply ? EditOperations.Replace : null, started, cancellationToken);
        }
    }

    /// <summary>
    /// Reports a step and waits for the observer, so reports arrive in order and before the answer. An observer that
    /// fails or does not answer in time is dropped (null returned): progress is a courtesy, the replace goes on.
    /// </summary>
    private async Task<IReplaceObserver?> ReportAsync(IReplaceObserver? progress, ReplaceProgress step, CancellationToken cancellationToken)
    {
        if (progress is null)
        {
            return null;
        }

        try
        {
            await progress.OnProgress(step).WaitAsync(ProgressTimeout, time, cancellationToken);
            return progress;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogProgressDropped(logger, Id, e.Message);
            return null;
        }
    }

    /// <summary>How long a replace waits for its progress observer to take one report.</summary>
    private static readonly TimeSpan ProgressTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The limits the grain holds any caller to (HTTP checks the same before the call; gRPC relies on this).</summary>
    private void CheckReplace(ReplaceRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Prompt) || request.Prompt.Length > _options.MaxPromptLength)
        {
            throw new InvalidPromptException($"prompt: must be 1..{_options.MaxPromptLength} characters.");
        }

        if (request.NegativePrompt is { Length: var length } && length > _options.MaxPromptLength)
        {
            throw new InvalidPromptException($"negativePrompt: must be at most {_options.MaxPromptLength} characters.");
        }

        if (request.Steps < 1 || request.Steps > _options.MaxReplaceSteps)
        {
            throw new InvalidPromptException($"steps: must be in 1..{_options.MaxReplaceSteps}.");
        }

        if (!float.IsFinite(request.Guidance) || request.Guidance < 0 || request.Guidance > _options.MaxGuidance)
        {
            throw new InvalidPromptException($"guidance: must be in 0..{_options.MaxGuidance}.");
        }

        PromptValidator.CheckDilate(request.Dilate, _options);
    }
}
