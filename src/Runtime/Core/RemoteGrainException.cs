namespace Atelier.Runtime;

/// <summary>
/// An exception thrown by a grain on another silo whose type could not be rebuilt on the caller's side.
/// <see cref="RemoteTypeName"/> keeps the original type's full name, <see cref="Exception.Message"/> its message.
/// </summary>
public sealed class RemoteGrainException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteGrainException()
        : this("A remote grain call failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RemoteGrainException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public RemoteGrainException(string message, Exception? innerException)
        : base(message, innerException)
    {
        RemoteTypeName = typeof(RemoteGrainException).FullName!;
    }

    /// <summary>Creates the exception for a remote failure.</summary>
    public RemoteGrainException(string remoteTypeName, string message, string? remoteStackTrace)
        : base(message)
    {
        RemoteTypeName = remoteTypeName;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>Full name of the exception type thrown on the remote silo.</summary>
    public string RemoteTypeName { get; }

    /// <summary>The remote stack trace, when the remote silo sent one.</summary>
    public string? RemoteStackTrace { get; }
}
