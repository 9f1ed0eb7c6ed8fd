namespace Atelier.Models.Manifest;

/// <summary>One file of a model, by role (<c>encoder</c>, <c>decoder</c>, <c>model</c> …).</summary>
/// <param name="Path">Path relative to the model folder; no <c>..</c>, not rooted.</param>
/// <param name="Sha256">Lowercase hex sha256 of the file; checked when the model is loaded.</param>
public sealed record ModelFile(string Path, string Sha256);
