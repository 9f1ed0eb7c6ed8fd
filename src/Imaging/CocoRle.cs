namespace Atelier.Imaging;

/// <summary>
/// A mask in COCO's compressed run-length form, as pycocotools writes it:
/// <c>{"size": [Height, Width], "counts": Counts}</c>.
/// </summary>
public readonly record struct CocoRle(int Height, int Width, string Counts);
