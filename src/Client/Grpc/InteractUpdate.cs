namespace Atelier.Client.Grpc;

/// <summary>One answer of an <c>Interact</c> stream.</summary>
/// <param name="Seq">The sequence number of the prompt it answers.</param>
/// <param name="Dropped">Prompts dropped unanswered since the previous update (a newer one had arrived).</param>
/// <param name="DroppedTotal">Prompts dropped so far on this stream.</param>
/// <param name="Masks">Masks best first (with RLE when the stream asked for it).</param>
/// <param name="MaskPng">The best mask as PNG, when the stream asked for PNG.</param>
public sealed record InteractUpdate(ulong Seq, int Dropped, ulong DroppedTotal, IReadOnlyList<MaskInfo> Masks, byte[]? MaskPng, double ElapsedMs);
