using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Atelier.Client;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary><c>atelier demo IMAGE --point X,Y</c>: open, segment, erase, save mask and result, close, with timings.</summary>
internal static class DemoCommand
{
    public static void AddTo(RootCommand root, CliContext context)
    {
        var image = new Argument<FileInfo>("IMAGE") { Description = "JPEG, PNG or WebP image" };
        var points = new Option<string[]>("--point") { Description = "X,Y[,LABEL]; repeat for more", Required = true };
        var mask = new Option<FileInfo>("--mask-output") { Description = "Where to write the mask (default IMAGE.mask.png)" };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the edited image (default IMAGE.erased.png)" };
        var dilate = SessionCommands.Dilate(15);
        var command = new Command("demo", "Run the whole flow: open, segment, erase, save mask and result, close") { image, points, mask, output, dilate };
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            var input = parse.GetValue(image)!;
            var prompt = new SegmentPrompt { Points = [.. parse.GetValue(points)!.Select(PromptParser.Point)] };
            var maskFile = parse.GetValue(mask) ?? new FileInfo(Path.ChangeExtension(input.FullName, ".mask.png"));
            var outputFile = parse.GetValue(output) ?? new FileInfo(Path.ChangeExtension(input.FullName, ".erased.png"));
            var steps = new List<(string Step, double Ms, string Detail)>();
            var total = Stopwatch.StartNew();
            SessionInfo? session = null;
            await Run(context, parse, async step =>
            {
                session = await Timed(steps, "open", () => client.OpenSessionAsync(input.FullName, cancellationToken: ct),
                    s => $"{s.Id} {s.Width}x{s.Height} on {s.Silo}", step).ConfigureAwait(false);
                try
                {
                    var selection = await Timed(steps, "segment", () => client.SegmentAsync(session.Id, prompt, ct),
                        m => $"score {m.Score?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-"}", step).ConfigureAwait(false);
                    await File.WriteAllBytesAsync(maskFile.FullName, selection.Png, ct).ConfigureAwait(false);
                    var erased = await Timed(steps, "erase", () => client.EraseAsync(session.Id, new EraseOptions { Dilate = parse.GetValue(dilate) }, ct),
                        png => $"{png.Length} bytes", step).ConfigureAwait(false);
                    await File.WriteAllBytesAsync(outputFile.FullName, erased, ct).ConfigureAwait(false);
                }
                finally
                {
                    await Timed(steps, "close", async () => { await client.CloseSessionAsync(session.Id, CancellationToken.None).ConfigureAwait(false); return true; },
                        _ => "closed", step).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);

            if (context.Json(parse))
            {
                context.WriteJson(new
                {
                    session = session?.Id,
                    mask = maskFile.FullName,
                    output = outputFile.FullName,
                    totalMs = total.Elapsed.TotalMilliseconds,
                    steps = steps.Select(s => new { step = s.Step, ms = s.Ms, detail = s.Detail }),
                });
                return CliApp.Ok;
            }

            var table = new Table().AddColumns("step", "ms", "detail");
            foreach (var (step, ms, detail) in steps)
            {
                table.AddRow(step, ms.ToString("0.0", CultureInfo.InvariantCulture), Markup.Escape(detail));
            }

            context.Console.Write(table);
            context.Console.MarkupLine($"mask   → [bold]{Markup.Escape(maskFile.FullName)}[/]");
            context.Console.MarkupLine($"result → [bold]{Markup.Escape(outputFile.FullName)}[/]");
            context.Console.MarkupLine($"total {total.Elapsed.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms");
            return CliApp.Ok;
        }));
        root.Subcommands.Add(command);
    }

    /// <summary>Runs the flow under a live status line when the console is interactive and not in JSON mode.</summary>
    private static Task Run(CliContext context, ParseResult parse, Func<Action<string>, Task> flow)
    {
        if (context.Json(parse) || !context.Console.Profile.Capabilities.Interactive)
        {
            return flow(_ => { });
        }

        return context.Console.Status().StartAsync("demo", status => flow(step => status.Status(step)));
    }

    private static async Task<T> Timed<T>(List<(string, double, string)> steps, string name, Func<Task<T>> call, Func<T, string> describe, Action<string> status)
    {
        status(name + "…");
        var watch = Stopwatch.StartNew();
        var result = await call().ConfigureAwait(false);
        steps.Add((name, watch.Elapsed.TotalMilliseconds, describe(result)));
        return result;
    }
}
