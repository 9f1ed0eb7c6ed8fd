namespace Atelier.Grains;

/// <summary>The upload looks like an image but cannot be decoded (truncated, corrupt, zero-sized). Code <c>image_corrupt</c>.</summary>
[GenerateSerializer, Alias("atelier.image-corrupt-error")]
public sealed class ImageCorruptException : AtelierException
{
    public ImageCorruptException() { }

    public ImageCorruptException(string message) : base(message) { }

    public ImageCorruptException(string message, Exception innerException) : base(message, innerException) { }

    public override string Code => "image_corrupt";
}
