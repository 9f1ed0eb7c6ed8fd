using Atelier.Models.Adapters;

namespace Atelier.Grains.Sessions;

/// <summary>Checks a click against the session's image and the configured limits; errors name the field.</summary>
internal static class PromptValidator
{
    public static SamPrompt ToPrompt(SegmentRequest request, int width, int height, SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        var points = request.Points ?? [];
        if (points.Count == 0 && request.Box is null)
        {
            throw new InvalidPromptException("points: give at least one point or a box.");
        }

        if (points.Count > options.MaxPoints)
        {
            throw new InvalidPromptException($"points: at most {options.MaxPoints} points per request, got {points.Count}.");
        }

        CheckDilate(request.Dilate, options);
        var samPoints = new SamPoint[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            CheckCoordinate($"points[{i}]", p.X, p.Y, width, height);
            if (p.Label is not (0 or 1))
            {
                throw new InvalidPromptException($"labels[{i}]: must be 1 (foreground) or 0 (background), got {p.Label}.");
            }

            samPoints[i] = new SamPoint(p.X, p.Y, p.Label == 1);
        }

        SamBox? box = null;
        if (request.Box is { } b)
        {
            CheckCoordinate("box[0..1]", b.X0, b.Y0, width, height);
            CheckCoordinate("box[2..3]", b.X1, b.Y1, width, height);
            if (b.X1 <= b.X0 || b.Y1 <= b.Y0)
            {
                throw new InvalidPromptException("box: must be [x0, y0, x1, y1] with x1 > x0 and y1 > y0.");
            }

            box = new SamBox(b.X0, b.Y0, b.X1, b.Y1);
        }

        return new SamPrompt(samPoints, box);
    }

    public static void CheckDilate(int dilate, SessionOptions options)
    {
        if (dilate < 0 || dilate > options.MaxDilate)
        {
            throw new InvalidPromptException($"dilate: must be 0..{options.MaxDilate}, got {dilate}.");
        }
    }

    private static void CheckCoordinate(string field, float x, float y, int width, int height)
    {
        if (!float.IsFinite(x) || !float.IsFinite(y))
        {
            throw new InvalidPromptException($"{field}: coordinates must be finite numbers.");
        }

        if (x < 0 || y < 0 || x > width || y > height)
        {
            throw new InvalidPromptException($"{field}: ({x}, {y}) is outside the {width}x{height} image.");
        }
    }
}
