using Atelier.Imaging;

namespace Atelier.Grains.Sessions;

/// <summary>
/// A session's image versions for undo/redo. Each version is kept encoded (the original upload as
/// received, applied edits as lossless PNG), bounded by a count and a byte limit (oldest versions go
/// first; the current one always stays). The current version is decoded on first use and kept until
/// <see cref="ReleaseDecoded"/> or the next change.
/// </summary>
internal sealed class ImageHistory(int maxVersions, long maxBytes, ImageDecodeOptions decodeOptions) : IDisposable
{
    private readonly List<byte[]> _versions = [];
    private RgbImage? _decoded;

    /// <summary>Index of the current version; the API shows it as the version number.</summary>
    public int Current { get; private set; } = -1;

    /// <summary>Versions dropped from the front (the API's version numbers keep counting).</summary>
    public int Trimmed { get; private set; }

    public int Count => _versions.Count;

    public bool CanUndo => Current > 0;

    public bool CanRedo => Current < _versions.Count - 1;

    /// <summary>The encoded versions, oldest first (for the session store).</summary>
    public IReadOnlyList<byte[]> Encoded => _versions;

    /// <summary>The current image, decoded on first use after a change.</summary>
    public RgbImage Image => _decoded ??= ImageDecoder.Decode(_versions[Current], declaredContentType: null, decodeOptions);

    /// <summary>Starts the history from stored versions (reactivation) or the upload.</summary>
    public void Reset(IReadOnlyList<byte[]> versions, int current, int trimmed, RgbImage? decodedCurrent)
    {
        Trimmed = trimmed;
        ClearDecoded();
        _versions.Clear();
        _versions.AddRange(versions);
        Current = current;
        _decoded = decodedCurrent;
    }

    /// <summary>Makes <paramref name="image"/> (owned from now on) the new current version; the redo tail is discarded.</summary>
    public void Push(RgbImage image, byte[] encoded)
    {
        _versions.RemoveRange(Current + 1, _versions.Count - Current - 1);
        _versions.Add(encoded);
        ClearDecoded();
        _decoded = image;
        Current = _versions.Count - 1;
        Trim();
    }

    public void Undo()
    {
        if (!CanUndo)
        {
            throw new NothingToUndoException("Nothing to undo: this is the oldest version kept.");
        }

        ClearDecoded();
        Current--;
    }

    public void Redo()
    {
        if (!CanRedo)
        {
            throw new NothingToUndoException("Nothing to redo: this is the newest version.");
        }

        ClearDecoded();
        Current++;
    }

    /// <summary>Drops the decoded current image (3 bytes per pixel); the next use of <see cref="Image"/> decodes it again.</summary>
    public void ReleaseDecoded() => ClearDecoded();

    public void Dispose() => ClearDecoded();

    private void Trim()
    {
        long bytes = 0;
        foreach (var version in _versions)
        {
            bytes += version.Length;
        }

        while (_versions.Count > 1 && Current > 0 && (_versions.Count > maxVersions || bytes > maxBytes))
        {
            bytes -= _versions[0].Length;
            _versions.RemoveAt(0);
            Current--;
            Trimmed++;
        }
    }

    private void ClearDecoded()
    {
        _decoded?.Dispose();
        _decoded = null;
    }
}
