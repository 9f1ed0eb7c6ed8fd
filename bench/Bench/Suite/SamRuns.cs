using System.Diagnostics;
using Atelier.Imaging;
using Atelier.Models.Adapters;

namespace Atelier.Bench.Suite;

/// <summary>The raw in-process model runs the served paths are compared with (no grain, no HTTP, no queue).</summary>
internal static class SamRuns
{
    /// <summary>One click as the session runs it: decoder on the embedding plus mask post-processing (single mask).</summary>
    public static double Decode(SamModel sam, SamEmbedding embedding, SamPrompt prompt, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        foreach (var candidate in sam.Decode(embedding, prompt, SamMaskOutput.Single, null, cancellationToken))
        {
            candidate.Dispose();
        }

        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>
    /// One click as the session grain does it in-process, without HTTP and without the grain call: the decoder run
    /// plus the per-click work after it (bounding box, area and COCO RLE of the mask, PNG of the best mask).
    /// </summary>
    public static double DecodeWithClickWork(SamModel sam, SamEmbedding embedding, SamPrompt prompt, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var candidates = sam.Decode(embedding, prompt, SamMaskOutput.Single, null, cancellationToken);
        try
        {
            foreach (var candidate in candidates)
            {
                _ = MaskOps.BoundingBox(candidate.Mask);
                _ = MaskOps.Area(candidate.Mask);
                _ = RleCodec.Encode(candidate.Mask);
            }

            _ = PngEncoder.Encode(candidates[0].Mask);
        }
        finally
        {
            foreach (var candidate in candidates)
            {
                candidate.Dispose();
            }
        }

        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>One encode as a session open runs it: preprocess + encoder on the decoded image.</summary>
    public static double Encode(SamModel sam, RgbImage image, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        sam.Encode(image, cancellationToken).Dispose();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>Milliseconds <paramref name="call"/> took.</summary>
    public static async Task<double> TimeAsync(Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        await call().ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}
