namespace Atelier.Models.Onnx;

/// <summary>The configured execution provider (CUDA) cannot be used; the message names what is missing.</summary>
public sealed class ExecutionProviderUnavailableException : InvalidOperationException
{
    public ExecutionProviderUnavailableException()
    {
    }

    public ExecutionProviderUnavailableException(string reason)
        : base("The CUDA execution provider is not available: " + reason
            + " Set Models:Loader:Session:FallbackToCpu=true to run on the CPU instead.")
    {
    }

    public ExecutionProviderUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
