namespace Atelier.Models.Manifest;

/// <summary>A manifest or model folder is invalid; the message names the field or file.</summary>
public sealed class ModelManifestException : Exception
{
    public ModelManifestException() { }

    public ModelManifestException(string message) : base(message) { }

    public ModelManifestException(string message, Exception innerException) : base(message, innerException) { }
}
