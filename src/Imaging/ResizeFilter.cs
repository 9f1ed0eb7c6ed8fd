namespace Atelier.Imaging;

/// <summary>Resampling filters, both with Pillow's <c>ImagingResample</c> semantics (the kernel widens with the downscale factor, so shrinking is antialiased).</summary>
public enum ResizeFilter
{
    /// <summary>Triangle filter, support 1 (PIL <c>Image.BILINEAR</c>). SAM's ResizeLongestSide uses this.</summary>
    Bilinear = 0,

    /// <summary>Box filter, support ½ (PIL <c>Image.BOX</c>): each output pixel averages the input area it covers, like OpenCV's <c>INTER_AREA</c> when shrinking.</summary>
    Area = 1,
}
