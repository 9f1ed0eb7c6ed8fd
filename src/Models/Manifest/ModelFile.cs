namespace Atelier.Models.Manifest;

/// <summary>One file of a model, by role (<c>encoder</c>, <c>decoder</c>, <c>model</c> …).</summary>
/// <param name="Path">Path relative to the model folder; no <c>..</c>, not rooted.</param>
/// <param name="Sha256">Lowercase hex sha256 of the file; checked when the model is registered and when the file changed.</param>
public sealed record ModelFile(string Path, string Sha256)
{
    /// <summary>Largest <see cref="MaxBatch"/> a manifest may declare.</summary>
    public const int MaxBatchLimit = 256;

    /// <summary>
    /// Requests the silo may run together in one call of this file (its inputs have a dynamic first dimension, checked
    /// at load): the silo's dynamic batcher collects up to this many (see <c>Models:Host:BatchQueueDelay</c>).
    /// Supported for the <c>decoder</c> of a <c>sam</c> model. Default: absent (one request per call).
    /// </summary>
    public int? MaxBatch { get; init; }
}
