namespace Atelier.Grains;

/// <summary>No model of the needed kind is registered (e.g. text-guided inpainting). Code <c>model_not_available</c>.</summary>
[GenerateSerializer, Alias("atelier.model-not-available-error")]
public sealed class ModelNotAvailableException : AtelierException
{
    public ModelNotAvailableException() { }

    public ModelNotAvailableException(string message) : base(message) { }

    public ModelNotAvailableException(string message, Exception innerException) : base(message, innerException) { }

    public override string Code => "model_not_available";
}
