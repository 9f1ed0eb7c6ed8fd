using System.CommandLine;
using Atelier.Client;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>
/// The <c>atelier</c> command line. Exit codes: 0 success, 1 the server answered an error (its code and message
/// are printed), 2 invalid arguments, 3 the server could not be reached.
/// </summary>
internal static class CliApp
{
    public const int Ok = 0;
    public const int ApiError = 1;
    public const int UsageError = 2;
    public const int Unreachable = 3;

    public static Task<int> RunAsync(string[] args, IAnsiConsole console, TextWriter error, CancellationToken cancellationToken)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("atelier: interactive image editing (segment, erase, replace) on an Atelier cluster.");
        globals.AddTo(root);
        var context = new CliContext(console, error, globals);
        SessionCommands.AddTo(root, context);
        ModelCommands.AddTo(root, context);
        ClusterCommand.AddTo(root, context);
        DemoCommand.AddTo(root, context);
        var parse = root.Parse(args);
        return parse.InvokeAsync(new InvocationConfiguration { Output = new ConsoleWriter(console), Error = error }, cancellationToken);
    }

    /// <summary>Routes System.CommandLine's own output (help, version) through the Spectre console.</summary>
    private sealed class ConsoleWriter(IAnsiConsole console) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value) => console.Profile.Out.Writer.Write(value);

        public override void Write(string? value) => console.Profile.Out.Writer.Write(value);
    }
}

/// <summary>What every command action needs: the console, the error writer, the global options.</summary>
internal sealed class CliContext(IAnsiConsole console, TextWriter error, GlobalOptions globals)
{
    public IAnsiConsole Console { get; } = console;

    public TextWriter Error { get; } = error;

    public GlobalOptions Globals { get; } = globals;

    /// <summary>An action that creates the client and turns failures into messages and exit codes.</summary>
    public Func<ParseResult, CancellationToken, Task<int>> Action(Func<ParseResult, IAtelierClient, CancellationToken, Task<int>> body) =>
        async (parse, cancellationToken) =>
        {
            Uri server;
            var grpc = parse.GetValue(Globals.Grpc);
            var serverText = grpc && parse.GetResult(Globals.Server) is null or { Implicit: true } ? GlobalOptions.GrpcServer() : parse.GetValue(Globals.Server)!;
            try
            {
                server = new Uri(serverText.TrimEnd('/') + "/", UriKind.Absolute);
            }
            catch (UriFormatException)
            {
                await Error.WriteLineAsync($"error: --server '{serverText}' is not a URL").ConfigureAwait(false);
                return CliApp.UsageError;
            }

            using IAtelierClient client = grpc
                ? new Client.Grpc.GrpcAtelierClient(server, new Client.Grpc.GrpcClientOptions { ApiKey = parse.GetValue(Globals.ApiKey) })
                : new AtelierClient(server, new AtelierClientOptions { ApiKey = parse.GetValue(Globals.ApiKey) });
            try
            {
                return await body(parse, client, cancellationToken).ConfigureAwait(false);
            }
            catch (AtelierApiException e)
            {
                await Error.WriteLineAsync($"error: {e.Code} ({(int)e.StatusCode}): {e.Detail ?? e.Title}").ConfigureAwait(false);
                return CliApp.ApiError;
            }
            catch (HttpRequestException e)
            {
                await Error.WriteLineAsync($"error: cannot reach {server}: {e.Message}").ConfigureAwait(false);
                return CliApp.Unreachable;
            }
            catch (NotSupportedException e)
            {
                await Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return CliApp.UsageError;
            }
            catch (FormatException e)
            {
                await Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return CliApp.UsageError;
            }
            catch (IOException e)
            {
                await Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return CliApp.ApiError;
            }
            catch (UnauthorizedAccessException e)
            {
                await Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return CliApp.ApiError;
            }
        };

    public bool Json(ParseResult parse) => parse.GetValue(Globals.Json);

    /// <summary>Writes <paramref name="value"/> as indented JSON (for <c>--json</c>).</summary>
    public void WriteJson<T>(T value) =>
        Console.Profile.Out.Writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(value, CliJson.Options));
}

internal static class CliJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };
}
