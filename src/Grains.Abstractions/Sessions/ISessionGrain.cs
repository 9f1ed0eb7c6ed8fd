using Atelier.Runtime;

namespace Atelier.Grains;

/// <summary>
/// One user's editing session (key = session id). The caller's tenant travels in
/// <see cref="RequestContext"/> (<see cref="RequestContext.TenantKey"/>); a session answers another
/// tenant exactly as if it did not exist. Keeps the current image and its segmenter embedding
/// resident on its silo so a click runs only the mask decoder. Unknown, expired and closed sessions
/// throw <see cref="SessionNotFoundException"/>.
/// </summary>
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Decodes and validates the upload, runs the segmenter's encoder once, and starts the session.</summary>
    Task<SessionInfo> Open(ImageUpload upload, OpenSessionOptions options, CancellationToken cancellationToken);

    [ReadOnly]
    [Idempotent]
    Task<SessionInfo> GetInfo(CancellationToken cancellationToken);

    /// <summary>Point/box prompts → masks (only the decoder runs). The best mask becomes the selection.</summary>
    [Idempotent]
    Task<SegmentResult> Segment(SegmentRequest request, CancellationToken cancellationToken);

    /// <summary>The salient-object model's mask becomes the selection.</summary>
    Task<SegmentResult> SelectSubject(SelectSubjectRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Inpaints the selection (or a supplied mask) away; with <c>Apply</c> the result becomes a new version. Edits
    /// (erase, replace, undo, redo, select-subject) honour <see cref="RequestContext.IdempotencyKey"/>: a key already
    /// applied is answered again, never applied twice, even by a reactivation on another silo.
    /// </summary>
    Task<EditResult> Erase(EraseRequest request, CancellationToken cancellationToken);

    /// <summary>Text-guided inpainting of the selection; <see cref="ModelNotAvailableException"/> until a model is registered.</summary>
    Task<EditResult> Replace(ReplaceRequest request, CancellationToken cancellationToken);

    Task<SessionInfo> Undo(CancellationToken cancellationToken);

    Task<SessionInfo> Redo(CancellationToken cancellationToken);

    /// <summary>The current image version, encoded.</summary>
    [ReadOnly]
    [Idempotent]
    Task<EncodedImage> GetImage(ImageEncoding encoding, CancellationToken cancellationToken);

    /// <summary>Releases everything; afterwards the id is unknown. Answers which silo closed it.</summary>
    Task<SessionClosed> Close(CancellationToken cancellationToken);
}
