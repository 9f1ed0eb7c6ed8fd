namespace Atelier.Setup;

/// <summary>A setup step could not complete; the message says what to do.</summary>
public sealed class SetupException : Exception
{
    public SetupException() { }

    public SetupException(string message) : base(message) { }

    public SetupException(string message, Exception innerException) : base(message, innerException) { }
}
