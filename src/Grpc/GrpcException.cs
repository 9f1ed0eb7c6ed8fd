namespace Atelier.Grpc;

/// <summary>A call ended with a non-OK gRPC status; <see cref="Exception.Message"/> is the status message.</summary>
public sealed class GrpcException : Exception
{
    public GrpcException() : this(GrpcStatusCode.Unknown, "Unknown gRPC error") { }

    public GrpcException(string message) : this(GrpcStatusCode.Unknown, message) { }

    public GrpcException(string message, Exception innerException) : base(message, innerException) => Status = GrpcStatusCode.Unknown;

    public GrpcException(GrpcStatusCode status, string message) : base(message) => Status = status;

    public GrpcException(GrpcStatusCode status, string message, Exception innerException) : base(message, innerException) => Status = status;

    public GrpcStatusCode Status { get; }
}
