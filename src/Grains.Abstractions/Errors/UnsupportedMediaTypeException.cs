namespace Atelier.Grains;

/// <summary>The upload is not a supported image format (JPEG, PNG, WebP), or its content contradicts its declared type. Code <c>unsupported_media_type</c>.</summary>
[GenerateSerializer, Alias("atelier.unsupported-media-type-error")]
public sealed class UnsupportedMediaTypeException : AtelierException
{
    public UnsupportedMediaTypeException() { }

    public UnsupportedMediaTypeException(string message) : base(message) { }

    public UnsupportedMediaTypeException(string message, Exception innerException) : base(message, innerException) { }

    public override string Code => "unsupported_media_type";
}
