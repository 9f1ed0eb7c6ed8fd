namespace Atelier.Grains;

/// <summary>The upload exceeds a configured size, pixel-count or side limit. Code <c>image_too_large</c>.</summary>
[GenerateSerializer, Alias("atelier.image-too-large-error")]
public sealed class ImageTooLargeException : AtelierException
{
    public ImageTooLargeException() { }

    public ImageTooLargeException(string message) : base(message) { }

    public ImageTooLargeException(string message, Exception innerException) : base(message, innerException) { }

    public override string Code => "image_too_large";
}
