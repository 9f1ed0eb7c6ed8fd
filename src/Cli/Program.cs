using Spectre.Console;

namespace Atelier.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) => CliApp.RunAsync(args, AnsiConsole.Console, Console.Error, CancellationToken.None);
}
