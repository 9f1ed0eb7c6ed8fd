namespace Atelier.Grains;

/// <summary>Undo or redo was asked with no version to go to. Code <c>nothing_to_undo</c>.</summary>
[GenerateSerializer, Alias("atelier.nothing-to-undo-error")]
public sealed class NothingToUndoException : AtelierException
{
    public NothingToUndoException() { }

    public NothingToUndoException(string message) : base(message) { }

    public NothingToUndoException(string message, Exception innerException) : base(message, innerException) { }

    public override string Code => "nothing_to_undo";
}
