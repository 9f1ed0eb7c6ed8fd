using Spectre.Console;

namespace Atelier.Cli.Tests;

/// <summary>Runs the <c>atelier</c> command line in process with captured, colourless, non-interactive output.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;

        var exit = await CliApp.RunAsync(args, console, error, CancellationToken.None);

        return new Result(exit, output.ToString(), error.ToString());
    }
}
