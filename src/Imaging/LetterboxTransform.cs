namespace Atelier.Imaging;

/// <summary>
/// Where <see cref="ImageResize.Letterbox"/> put the image inside its square canvas: the content was
/// scaled by <see cref="Scale"/> to <see cref="ContentWidth"/>×<see cref="ContentHeight"/> and placed at
/// (<see cref="OffsetX"/>, <see cref="OffsetY"/>) in a <see cref="Size"/>×<see cref="Size"/> canvas.
/// </summary>
public readonly record struct LetterboxTransform(int Size, double Scale, int OffsetX, int OffsetY, int ContentWidth, int ContentHeight)
{
    /// <summary>Maps a canvas point back to the original image.</summary>
    public (double X, double Y) ToOriginal(double x, double y) => ((x - OffsetX) / Scale, (y - OffsetY) / Scale);

    /// <summary>Maps an original point into the canvas.</summary>
    public (double X, double Y) ToCanvas(double x, double y) => ((x * Scale) + OffsetX, (y * Scale) + OffsetY);
}
