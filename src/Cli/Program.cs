return await Atelier.Cli.CliApp.RunAsync(args, Spectre.Console.AnsiConsole.Console, Console.Error, CancellationToken.None).ConfigureAwait(false);
