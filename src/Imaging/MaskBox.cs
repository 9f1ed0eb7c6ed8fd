namespace Atelier.Imaging;

/// <summary>An axis-aligned box in pixels: the smallest rectangle holding every foreground pixel.</summary>
public readonly record struct MaskBox(int X, int Y, int Width, int Height);
