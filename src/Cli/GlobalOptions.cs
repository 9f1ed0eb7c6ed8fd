using System.CommandLine;

namespace Atelier.Cli;

/// <summary>Options every command accepts: <c>--server</c>, <c>--api-key</c>, <c>--json</c>.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultServer = "http://127.0.0.1:8080";

    public Option<string> Server { get; } = new("--server")
    {
        Description = "Server URL (env ATELIER_SERVER; default " + DefaultServer + ")",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ATELIER_SERVER") is { Length: > 0 } env ? env : DefaultServer,
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "API key (env ATELIER_API_KEY)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ATELIER_API_KEY"),
    };

    /// <summary>Default gRPC endpoint (the silo's <c>Grpc:Port</c> default) when <c>--grpc</c> is given without <c>--server</c>.</summary>
    public const string DefaultGrpcServer = "http://127.0.0.1:8081";

    public Option<bool> Grpc { get; } = new("--grpc")
    {
        Description = "Talk gRPC (HTTP/2) instead of HTTP/JSON; --server then names the gRPC endpoint (env ATELIER_GRPC_SERVER; default " + DefaultGrpcServer + ")",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Machine-readable JSON output",
        Recursive = true,
    };

    public static string GrpcServer() =>
        Environment.GetEnvironmentVariable("ATELIER_GRPC_SERVER") is { Length: > 0 } env ? env : DefaultGrpcServer;

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Server);
        root.Options.Add(ApiKey);
        root.Options.Add(Json);
        root.Options.Add(Grpc);
    }
}
