using System.Diagnostics.CodeAnalysis;

namespace Atelier.Imaging;

/// <summary>An upload that cannot be turned into pixels. <see cref="Code"/> is one of <see cref="ImageErrorCode"/>.</summary>
public sealed class ImageFormatException : Exception
{
    public ImageFormatException()
        : this(ImageErrorCode.ImageCorrupt, "The image could not be decoded.")
    {
    }

    public ImageFormatException(string message)
        : this(ImageErrorCode.ImageCorrupt, message)
    {
    }

    public ImageFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = ImageErrorCode.ImageCorrupt;
    }

    public ImageFormatException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The stable error code (<see cref="ImageErrorCode"/>).</summary>
    public string Code { get; }

    [DoesNotReturn]
    internal static void ThrowCorrupt(string message) => throw new ImageFormatException(ImageErrorCode.ImageCorrupt, message);

    [DoesNotReturn]
    internal static void ThrowTooLarge(string message) => throw new ImageFormatException(ImageErrorCode.ImageTooLarge, message);

    [DoesNotReturn]
    internal static void ThrowUnsupported(string message) => throw new ImageFormatException(ImageErrorCode.UnsupportedMediaType, message);
}
