using Atelier.Imaging;

namespace Atelier.Grains.Sessions;

/// <summary>Maps Imaging's error codes onto the product's typed errors, which keep their type across silos.</summary>
internal static class ImagingErrors
{
    public static AtelierException Translate(ImageFormatException e) => e.Code switch
    {
        ImageErrorCode.UnsupportedMediaType => new UnsupportedMediaTypeException(e.Message, e),
        ImageErrorCode.ImageTooLarge => new ImageTooLargeException(e.Message, e),
        _ => new ImageCorruptException(e.Message, e),
    };
}
