using Orleans.Concurrency;

namespace Atelier.Grains;

/// <summary>
/// One user's editing session (key = session id). The caller's tenant travels in Orleans' <c>RequestContext</c>
/// (<see cref="CallContext.Tenant"/>); a session answers another tenant exactly as if it did not exist. Keeps the
/// current image and its segmenter embedding resident on its silo so a click runs only the mask decoder. Unknown,
/// expired and closed sessions throw <see cref="SessionNotFoundException"/>. Methods marked <see cref="IdempotentAttribute"/>
/// (and edits sent with an idempotency key) may be retried by the ingress silo when the owner dies.
/// </summary>
[Alias("atelier.session")]
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Decodes and validates the upload, runs the segmenter's encoder once, and starts the session.</summary>
    [Alias("open")]
    Task<SessionInfo> Open(ImageUpload upload, OpenSessionOptions options, CancellationToken cancellationToken);

    [ReadOnly, Idempotent, Alias("info")]
    Task<SessionInfo> GetInfo(CancellationToken cancellationToken);

    /// <summary>Point/box prompts → masks (only the decoder runs). The best mask becomes the selection.</summary>
    [Idempotent, Alias("segment")]
    Task<SegmentResult> Segment(SegmentRequest request, CancellationToken cancellationToken);

    /// <summary>The salient-object model's mask becomes the selection.</summary>
    [Alias("select-subject")]
    Task<SegmentResult> SelectSubject(SelectSubjectRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Inpaints the selection (or a supplied mask) away; with <c>Apply</c> the result becomes a new version. Edits
    /// (erase, replace, undo, redo, select-subject) honour <see cref="CallContext.IdempotencyKey"/>: a key already
    /// applied is answered again, never applied twice, even by a reactivation on another silo.
    /// </summary>
    [Alias("erase")]
    Task<EditResult> Erase(EraseRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Text-guided inpainting (Stable Diffusion) of the selection or a supplied mask; only pixels inside the dilated mask
    /// change. <see cref="ModelNotAvailableException"/> when the configured <c>sd-inpaint</c> model is not registered.
    /// Cancelling the token stops the run between steps and leaves the session unchanged.
    /// </summary>
    [Alias("replace")]
    Task<EditResult> Replace(ReplaceRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="Replace"/> reporting each denoising step to <paramref name="progress"/> (an object reference made with
    /// <c>IGrainFactory.CreateObjectReference</c>; see <c>ReplaceStream</c>, which turns this into an
    /// <see cref="IAsyncEnumerable{T}"/> of progress and result for HTTP Server-Sent Events and gRPC server streams).
    /// </summary>
    [Alias("replace-observed")]
    Task<EditResult> ReplaceObserved(ReplaceRequest request, IReplaceObserver progress, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels the replace this session is running, if any (it stops between steps, changes nothing and answers
    /// <see cref="SessionNotFoundException"/>); answers whether one was running. Runs interleaved with the replace (it
    /// only signals), so a close can stop a long replace instead of waiting for it: front ends call it before
    /// <see cref="Close"/>.
    /// </summary>
    [AlwaysInterleave, Alias("cancel-replace")]
    Task<bool> CancelReplace(CancellationToken cancellationToken);

    [Alias("undo")]
    Task<SessionInfo> Undo(CancellationToken cancellationToken);

    [Alias("redo")]
    Task<SessionInfo> Redo(CancellationToken cancellationToken);

    /// <summary>The current image version, encoded.</summary>
    [ReadOnly, Idempotent, Alias("image")]
    Task<EncodedImage> GetImage(ImageEncoding encoding, CancellationToken cancellationToken);

    /// <summary>Releases everything; afterwards the id is unknown. Answers which silo closed it.</summary>
    [Alias("close")]
    Task<SessionClosed> Close(CancellationToken cancellationToken);
}
