namespace Atelier.Models.Tensors;

/// <summary>
/// Tensors that do not fit the graph they are sent to: an unknown or missing input, a wrong element type or shape, an
/// unknown requested output, or data whose size does not match its shape. The message names the tensor and is safe to
/// show to the client (front ends answer 400).
/// </summary>
public sealed class TensorRequestException : Exception
{
    public TensorRequestException()
    {
    }

    public TensorRequestException(string message) : base(message)
    {
    }

    public TensorRequestException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
