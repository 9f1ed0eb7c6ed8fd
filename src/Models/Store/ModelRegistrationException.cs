namespace Atelier.Models.Store;

/// <summary>Why a model archive was refused; the store is unchanged when this is thrown.</summary>
public sealed class ModelRegistrationException : Exception
{
    public ModelRegistrationException() { }

    public ModelRegistrationException(string message) : base(message) { }

    public ModelRegistrationException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Stable reason: <c>archive_invalid</c>, <c>archive_too_large</c>, <c>manifest_invalid</c>, <c>file_mismatch</c>, <c>model_invalid</c> (files that do not follow their kind's interface).</summary>
    public string Code { get; init; } = "archive_invalid";
}
