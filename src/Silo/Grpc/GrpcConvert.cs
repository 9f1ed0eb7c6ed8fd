using Atelier.Grains;
using Atelier.Silo.Endpoints;
using Google.Protobuf;
using V1 = Atelier.Grpc.V1;

namespace Atelier.Silo.Grpc;

/// <summary>Between the grains' contracts (and the HTTP layer's request bodies, for shared validation) and the proto messages.</summary>
internal static class GrpcConvert
{
    public static V1.SessionInfo Session(SessionInfo info)
    {
        var view = SessionResponse.From(info);
        return new V1.SessionInfo
        {
            Id = view.Id,
            Width = view.Width,
            Height = view.Height,
            Model = view.Model,
            Version = view.Version,
            CanUndo = view.CanUndo,
            CanRedo = view.CanRedo,
            Embedding = view.Embedding,
            CreatedAtUnixMs = view.CreatedAt.ToUnixTimeMilliseconds(),
            ExpiresAtUnixMs = view.ExpiresAt.ToUnixTimeMilliseconds(),
            TtlSeconds = view.TtlSeconds,
            Silo = view.Silo ?? "",
        };
    }

    /// <summary>The HTTP body of the same prompt, so <see cref="PromptValidator"/> checks both front ends alike.</summary>
    public static SegmentBody SegmentBody(IReadOnlyList<V1.Point> points, V1.Box? box, bool multimask, bool refine, int dilate)
    {
        var xy = new double[points.Count][];
        var labels = new int[points.Count];
        for (var i = 0; i < xy.Length; i++)
        {
            xy[i] = [points[i].X, points[i].Y];
            labels[i] = points[i].Background ? 0 : 1;
        }

        return new SegmentBody
        {
            Points = xy,
            Labels = labels,
            Box = box is null ? null : [box.X0, box.Y0, box.X1, box.Y1],
            Multimask = multimask,
            Refine = refine,
            Dilate = dilate,
        };
    }

    /// <summary>What a segmentation must encode for a reply in <paramref name="format"/>.</summary>
    public static MaskEncodings Encodings(V1.MaskFormat format) => format == V1.MaskFormat.Rle ? MaskEncodings.Rle : MaskEncodings.Png;

    public static V1.SegmentReply Segment(SegmentResult result, V1.MaskFormat format)
    {
        var reply = new V1.SegmentReply { ElapsedMs = result.ElapsedMs, Silo = result.Silo ?? "" };
        foreach (var mask in result.Masks)
        {
            var m = new V1.Mask { Score = mask.Score, Area = mask.Area };
            m.Bbox.Add(mask.Bbox);
            if (format == V1.MaskFormat.Rle && mask.Rle is { } rle)
            {
                m.Rle = new V1.Rle { Counts = rle.Counts };
                m.Rle.Size.Add(rle.Size);
            }

            reply.Masks.Add(m);
        }

        if (format == V1.MaskFormat.Png)
        {
            reply.MaskPng = UnsafeByteOperations.UnsafeWrap(result.BestMaskPng);
        }

        return reply;
    }

    public static V1.EditReply Edit(EditResult result) => new()
    {
        ImagePng = UnsafeByteOperations.UnsafeWrap(result.ImagePng),
        Session = Session(result.Session),
        ElapsedMs = result.ElapsedMs,
    };

    public static V1.ModelResidency Residency(string model, ResidencyResponse residency) => new()
    {
        Model = model,
        Silo = residency.Silo,
        State = residency.State,
        LastUsedUnixMs = residency.LastUsed?.ToUnixTimeMilliseconds() ?? 0,
        Loads = residency.Loads,
        Hits = residency.Hits,
        Misses = residency.Misses,
        Evictions = residency.Evictions,
        ResidentBytes = residency.ResidentBytes,
    };

    public static V1.Model Model(ModelResponse model)
    {
        var reply = new V1.Model
        {
            Id = model.Id,
            Kind = model.Kind,
            Version = model.Version ?? "",
            Tenant = model.Tenant ?? "",
            Description = model.Description ?? "",
            Demo = model.Demo,
            SizeBytes = model.SizeBytes,
            Pinned = model.Pinned,
        };
        foreach (var residency in model.Residency)
        {
            reply.Residency.Add(Residency(model.Id, residency));
        }

        return reply;
    }
}
