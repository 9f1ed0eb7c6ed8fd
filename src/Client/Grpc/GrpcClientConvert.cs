using V1 = Atelier.Grpc.V1;

namespace Atelier.Client.Grpc;

/// <summary>Between the proto messages and the client library's own types (the same ones the HTTP transport returns).</summary>
internal static class GrpcClientConvert
{
    public static SessionInfo Session(V1.SessionInfo info) => new(
        info.Id, info.Width, info.Height, info.Model, info.Version, info.CanUndo, info.CanRedo, info.Embedding,
        DateTimeOffset.FromUnixTimeMilliseconds(info.CreatedAtUnixMs), DateTimeOffset.FromUnixTimeMilliseconds(info.ExpiresAtUnixMs),
        info.TtlSeconds, info.Silo);

    public static V1.SegmentRequest Segment(string id, SegmentPrompt prompt, V1.MaskFormat format)
    {
        var request = new V1.SegmentRequest
        {
            SessionId = id,
            Multimask = prompt.Multimask,
            Refine = prompt.Refine,
            Dilate = prompt.Dilate,
            Format = format,
        };
        AddPrompt(request.Points, prompt, out var box);
        request.Box = box;
        return request;
    }

    public static void AddPrompt(Google.Protobuf.Collections.RepeatedField<V1.Point> points, SegmentPrompt prompt, out V1.Box? box)
    {
        foreach (var point in prompt.Points)
        {
            points.Add(new V1.Point { X = (float)point.X, Y = (float)point.Y, Background = point.Label == 0 });
        }

        box = prompt.Box is { } b ? new V1.Box { X0 = (float)b.X0, Y0 = (float)b.Y0, X1 = (float)b.X1, Y1 = (float)b.Y1 } : null;
    }

    public static SegmentResult Masks(V1.SegmentReply reply)
    {
        var masks = new MaskInfo[reply.Masks.Count];
        for (var i = 0; i < masks.Length; i++)
        {
            var mask = reply.Masks[i];
            var rle = mask.Rle is null ? new RleInfo([], "") : new RleInfo([.. mask.Rle.Size], mask.Rle.Counts);
            masks[i] = new MaskInfo(mask.Score, mask.Area, [.. mask.Bbox], rle);
        }

        return new SegmentResult(masks, reply.ElapsedMs);
    }

    public static MaskImage MaskImage(V1.SegmentReply reply) =>
        new(reply.MaskPng.ToByteArray(), reply.Masks.Count > 0 ? reply.Masks[0].Score : null, reply.Silo.Length == 0 ? null : reply.Silo);

    public static ModelResidencyInfo Residency(V1.ModelResidency r) => new(
        r.Silo, r.State, r.LastUsedUnixMs == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.LastUsedUnixMs),
        r.Loads, r.Hits, r.Misses, r.Evictions, r.ResidentBytes);

    public static ModelInfo Model(V1.Model m)
    {
        var residency = new ModelResidencyInfo[m.Residency.Count];
        for (var i = 0; i < residency.Length; i++)
        {
            residency[i] = Residency(m.Residency[i]);
        }

        return new ModelInfo(m.Id, m.Kind, m.Version.Length == 0 ? null : m.Version, m.Tenant.Length == 0 ? null : m.Tenant,
            m.Description.Length == 0 ? null : m.Description, m.Demo, m.SizeBytes, m.Pinned, residency);
    }
}
