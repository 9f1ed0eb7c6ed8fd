namespace Atelier.Grains;

/// <summary>An edit asked for the current selection but there is none yet. Code <c>no_selection</c>.</summary>
[GenerateSerializer, Alias("atelier.no-selection-error")]
public sealed class NoSelectionException : AtelierException
{
    public NoSelectionException() { }

    public NoSelectionException(string message) : base(message) { }

    public NoSelectionException(string message, Exception innerException) : base(message, innerException) { }

    public override string Code => "no_selection";
}
