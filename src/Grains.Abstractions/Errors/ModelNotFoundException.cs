namespace Atelier.Grains;

/// <summary>The named model is not registered (or belongs to another tenant). Code <c>model_not_found</c>.</summary>
[GenerateSerializer, Alias("atelier.model-not-found-error")]
public sealed class ModelNotFoundException : AtelierException
{
    public ModelNotFoundException() { }

    public ModelNotFoundException(string message) : base(message) { }

    public ModelNotFoundException(string message, Exception innerException) : base(message, innerException) { }

    public override string Code => "model_not_found";
}
