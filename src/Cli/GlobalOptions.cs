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

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Machine-readable JSON output",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Server);
        root.Options.Add(ApiKey);
        root.Options.Add(Json);
    }
}
