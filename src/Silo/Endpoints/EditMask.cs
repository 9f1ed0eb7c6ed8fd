namespace Atelier.Silo.Endpoints;

/// <summary>The <c>mask</c> field of erase/replace: the word <c>selection</c> or a base64 PNG.</summary>
internal static class EditMask
{
    public const string Selection = "selection";

    /// <summary>Null for the selection, else the decoded PNG bytes (the session checks size and content).</summary>
    public static byte[]? Parse(string? value)
    {
        if (value is null || value == Selection)
        {
            return null;
        }

        var text = value.AsSpan();
        var comma = text.IndexOf(',');
        if (text.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && comma > 0)
        {
            text = text[(comma + 1)..];
        }

        var bytes = new byte[(text.Length * 3 / 4) + 3];
        if (text.IsEmpty || !Convert.TryFromBase64Chars(text, bytes, out var written) || written == 0)
        {
            throw new Grains.InvalidPromptException("mask: must be 'selection' or a base64-encoded PNG");
        }

        return bytes.AsSpan(0, written).ToArray();
    }
}
