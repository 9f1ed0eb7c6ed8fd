using Atelier.Grains;
using SessionOptions = Atelier.Grains.SessionOptions;

namespace Atelier.Silo.Endpoints;

/// <summary>
/// Checks prompts against the limits the HTTP layer knows (finite, non-negative, bounded, counts, ranges) and
/// names the offending field. The session itself checks coordinates against the image size.
/// </summary>
internal static class PromptValidator
{
    public static SegmentRequest ToRequest(SegmentBody body, SessionOptions sessions, ApiOptions api)
    {
        var points = body.Points ?? [];
        if (points.Length > sessions.MaxPoints)
        {
            throw Invalid("points", $"at most {sessions.MaxPoints} points per request, got {points.Length}");
        }

        if (body.Labels is { } labels && labels.Length != points.Length)
        {
            throw Invalid("labels", $"needs one label per point ({points.Length}), got {labels.Length}");
        }

        var prompts = new PromptPoint[points.Length];
        for (var i = 0; i < points.Length; i++)
        {
            if (points[i] is not { Length: 2 } point)
            {
                throw Invalid($"points[{i}]", "must be [x, y]");
            }

            var x = Coordinate(point[0], $"points[{i}][0]", api);
            var y = Coordinate(point[1], $"points[{i}][1]", api);
            var label = body.Labels?[i] ?? 1;
            if (label is not (0 or 1))
            {
                throw Invalid($"labels[{i}]", "must be 0 (background) or 1 (foreground)");
            }

            prompts[i] = new PromptPoint(x, y, label);
        }

        PromptBox? box = null;
        if (body.Box is { } b)
        {
            if (b.Length != 4)
            {
                throw Invalid("box", "must be [x0, y0, x1, y1]");
            }

            var x0 = Coordinate(b[0], "box[0]", api);
            var y0 = Coordinate(b[1], "box[1]", api);
            var x1 = Coordinate(b[2], "box[2]", api);
            var y1 = Coordinate(b[3], "box[3]", api);
            if (x1 <= x0 || y1 <= y0)
            {
                throw Invalid("box", "needs x1 > x0 and y1 > y0");
            }

            box = new PromptBox(x0, y0, x1, y1);
        }

        if (prompts.Length == 0 && box is null)
        {
            throw Invalid("points", "at least one point or a box is required");
        }

        return new SegmentRequest(prompts, box, body.Multimask, body.Refine, Dilate(body.Dilate, sessions));
    }

    public static SelectSubjectRequest ToRequest(SelectSubjectBody? body, SessionOptions sessions) =>
        new(Dilate(body?.Dilate ?? 0, sessions));

    public static EraseRequest ToRequest(EraseBody? body, SessionOptions sessions)
    {
        body ??= new EraseBody();
        return new EraseRequest(EditMask.Parse(body.Mask), Dilate(body.Dilate, sessions), body.Apply);
    }

    public static ReplaceRequest ToRequest(ReplaceBody? body, SessionOptions sessions, ApiOptions api)
    {
        body ??= new ReplaceBody();
        if (string.IsNullOrWhiteSpace(body.Prompt))
        {
            throw Invalid("prompt", "is required");
        }

        if (body.Prompt.Length > api.MaxPromptLength)
        {
            throw Invalid("prompt", $"at most {api.MaxPromptLength} characters");
        }

        if (body.NegativePrompt is { Length: var negative } && negative > api.MaxPromptLength)
        {
            throw Invalid("negativePrompt", $"at most {api.MaxPromptLength} characters");
        }

        if (body.Steps < 1 || body.Steps > api.MaxSteps)
        {
            throw Invalid("steps", $"must be in 1..{api.MaxSteps}");
        }

        if (!double.IsFinite(body.Guidance) || body.Guidance < 0 || body.Guidance > api.MaxGuidance)
        {
            throw Invalid("guidance", $"must be in 0..{api.MaxGuidance}");
        }

        return new ReplaceRequest(body.Prompt, EditMask.Parse(body.Mask), Dilate(body.Dilate, sessions), body.Steps,
            (float)body.Guidance, body.Seed, body.Apply)
        {
            NegativePrompt = body.NegativePrompt,
        };
    }

    private static int Dilate(int dilate, SessionOptions sessions) =>
        dilate < 0 || dilate > sessions.MaxDilate ? throw Invalid("dilate", $"must be in 0..{sessions.MaxDilate}") : dilate;

    private static float Coordinate(double value, string field, ApiOptions api)
    {
        if (!double.IsFinite(value))
        {
            throw Invalid(field, "must be a finite number");
        }

        if (value < 0 || value > api.MaxCoordinate)
        {
            throw Invalid(field, "is outside the image");
        }

        return (float)value;
    }

    private static InvalidPromptException Invalid(string field, string problem) => new($"{field}: {problem}");
}
