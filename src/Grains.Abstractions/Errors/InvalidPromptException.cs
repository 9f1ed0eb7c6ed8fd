namespace Atelier.Grains;

/// <summary>A prompt (points, box, labels, mask, text) is invalid for this session; the message names the field. Code <c>invalid_prompt</c>.</summary>
[GenerateSerializer, Alias("atelier.invalid-prompt-error")]
public sealed class InvalidPromptException : AtelierException
{
    public InvalidPromptException() { }

    public InvalidPromptException(string message) : base(message) { }

    public InvalidPromptException(string message, Exception innerException) : base(message, innerException) { }

    public override string Code => "invalid_prompt";
}
