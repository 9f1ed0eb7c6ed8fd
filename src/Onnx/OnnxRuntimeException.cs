namespace Atelier.Onnx;

/// <summary>An error reported by ONNX Runtime (or by this binding about the runtime), with ORT's error code.</summary>
public sealed class OnnxRuntimeException : Exception
{
    public OnnxRuntimeException()
        : this(OrtErrorCode.Fail, "ONNX Runtime failed.")
    {
    }

    public OnnxRuntimeException(string message)
        : this(OrtErrorCode.Fail, message)
    {
    }

    public OnnxRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = OrtErrorCode.Fail;
    }

    public OnnxRuntimeException(OrtErrorCode errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    public OnnxRuntimeException(OrtErrorCode errorCode, string message, Exception? innerException)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>ORT's error code.</summary>
    public OrtErrorCode ErrorCode { get; }
}
