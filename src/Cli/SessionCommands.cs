using System.CommandLine;
using Atelier.Client;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary>open, segment, subject, erase, replace, undo, redo, info, image, close.</summary>
internal static class SessionCommands
{
    public static void AddTo(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(Open(context));
        root.Subcommands.Add(Segment(context));
        root.Subcommands.Add(Subject(context));
        root.Subcommands.Add(Erase(context));
        root.Subcommands.Add(Replace(context));
        root.Subcommands.Add(Simple(context, "undo", "Go back one image version", (c, id, ct) => c.UndoAsync(id, ct)));
        root.Subcommands.Add(Simple(context, "redo", "Go forward one image version", (c, id, ct) => c.RedoAsync(id, ct)));
        root.Subcommands.Add(Simple(context, "info", "Describe a session", (c, id, ct) => c.GetSessionAsync(id, ct)));
        root.Subcommands.Add(Image(context));
        root.Subcommands.Add(Close(context));
    }

    public static Argument<string> SessionId() => new("ID") { Description = "Session id" };

    public static Option<FileInfo> Output() => new("--output", "-o") { Description = "File to write", Required = true };

    public static Option<int> Dilate(int defaultValue) => new("--dilate")
    {
        Description = $"Pixels to grow the mask by (default {defaultValue})",
        DefaultValueFactory = _ => defaultValue,
    };

    public static void PrintSession(CliContext context, ParseResult parse, SessionInfo session)
    {
        if (context.Json(parse))
        {
            context.WriteJson(session);
            return;
        }

        var table = new Table().AddColumns("field", "value").HideHeaders();
        table.AddRow("id", Markup.Escape(session.Id));
        table.AddRow("size", $"{session.Width} x {session.Height}");
        table.AddRow("model", Markup.Escape(session.Model));
        table.AddRow("version", session.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("undo / redo", $"{session.CanUndo} / {session.CanRedo}");
        table.AddRow("embedding", Markup.Escape(session.Embedding ?? "-"));
        table.AddRow("expires", session.ExpiresAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("silo", Markup.Escape(session.Silo));
        context.Console.Write(table);
    }

    private static Command Open(CliContext context)
    {
        var image = new Argument<FileInfo>("IMAGE") { Description = "JPEG, PNG or WebP image" };
        var model = new Option<string?>("--model") { Description = "Segmenter model id (default: the server's)" };
        var ttl = new Option<int?>("--ttl") { Description = "Idle time-to-live in seconds" };
        var command = new Command("open", "Open a session on an image; prints the session id") { image, model, ttl };
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            var session = await client.OpenSessionAsync(parse.GetValue(image)!.FullName, parse.GetValue(model), parse.GetValue(ttl), ct).ConfigureAwait(false);
            if (context.Json(parse))
            {
                context.WriteJson(session);
            }
            else
            {
                context.Console.Profile.Out.Writer.WriteLine(session.Id);
            }

            return CliApp.Ok;
        }));
        return command;
    }

    private static Command Segment(CliContext context)
    {
        var id = SessionId();
        var points = new Option<string[]>("--point") { Description = "X,Y[,LABEL] (label 1 foreground, 0 background); repeat for more" };
        var box = new Option<string?>("--box") { Description = "X0,Y0,X1,Y1" };
        var multimask = new Option<bool>("--multimask") { Description = "Ask for three candidate masks" };
        var refine = new Option<bool>("--refine") { Description = "Refine the previous mask" };
        var dilate = Dilate(0);
        var output = Output();
        var command = new Command("segment", "Segment from points and/or a box; writes the best mask PNG") { id, points, box, multimask, refine, dilate, output };
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            var prompt = new SegmentPrompt
            {
                Points = [.. (parse.GetValue(points) ?? []).Select(PromptParser.Point)],
                Box = parse.GetValue(box) is { } b ? PromptParser.Box(b) : null,
                Multimask = parse.GetValue(multimask),
                Refine = parse.GetValue(refine),
                Dilate = parse.GetValue(dilate),
            };
            if (prompt.Points.Count == 0 && prompt.Box is null)
            {
                throw new FormatException("segment needs at least one --point or a --box");
            }

            var mask = await client.SegmentAsync(parse.GetValue(id)!, prompt, ct).ConfigureAwait(false);
            await WriteMaskAsync(context, parse, parse.GetValue(output)!, mask, ct).ConfigureAwait(false);
            return CliApp.Ok;
        }));
        return command;
    }

    private static Command Subject(CliContext context)
    {
        var id = SessionId();
        var dilate = Dilate(0);
        var output = Output();
        var command = new Command("subject", "Select the salient subject; writes the mask PNG") { id, dilate, output };
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            var mask = await client.SelectSubjectAsync(parse.GetValue(id)!, parse.GetValue(dilate), ct).ConfigureAwait(false);
            await WriteMaskAsync(context, parse, parse.GetValue(output)!, mask, ct).ConfigureAwait(false);
            return CliApp.Ok;
        }));
        return command;
    }

    private static Command Erase(CliContext context)
    {
        var id = SessionId();
        var dilate = Dilate(15);
        var mask = new Option<FileInfo?>("--mask") { Description = "PNG mask to erase instead of the selection" };
        var output = Output();
        var command = new Command("erase", "Erase the selection (inpaint); writes the edited image PNG") { id, dilate, mask, output };
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            var maskPng = parse.GetValue(mask) is { } file ? await File.ReadAllBytesAsync(file.FullName, ct).ConfigureAwait(false) : null;
            var png = await client.EraseAsync(parse.GetValue(id)!, new EraseOptions { Dilate = parse.GetValue(dilate), MaskPng = maskPng }, ct).ConfigureAwait(false);
            await WriteFileAsync(context, parse, parse.GetValue(output)!, png, ct).ConfigureAwait(false);
            return CliApp.Ok;
        }));
        return command;
    }

    private static Command Replace(CliContext context)
    {
        var id = SessionId();
        var prompt = new Option<string>("--prompt") { Description = "What to paint into the selection", Required = true };
        var negative = new Option<string?>("--negative-prompt") { Description = "What to steer away from" };
        var dilate = Dilate(15);
        var steps = new Option<int>("--steps") { Description = "Diffusion steps (default 20)", DefaultValueFactory = _ => 20 };
        var guidance = new Option<double>("--guidance") { Description = "Guidance scale (default 7.5)", DefaultValueFactory = _ => 7.5 };
        var seed = new Option<long?>("--seed") { Description = "Random seed (the same seed gives the same pixels)" };
        var mask = new Option<FileInfo?>("--mask") { Description = "A PNG mask at the image size instead of the selection" };
        var output = Output();
        var command = new Command("replace", "Replace the selection from a text prompt, showing step progress; writes the edited image PNG")
        {
            id, prompt, negative, dilate, steps, guidance, seed, mask, output,
        };
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            var options = new ReplaceOptions(parse.GetValue(prompt)!)
            {
                NegativePrompt = parse.GetValue(negative),
                MaskPng = parse.GetValue(mask) is { } file ? await File.ReadAllBytesAsync(file.FullName, ct).ConfigureAwait(false) : null,
                Dilate = parse.GetValue(dilate),
                Steps = parse.GetValue(steps),
                Guidance = parse.GetValue(guidance),
                Seed = parse.GetValue(seed),
            };
            // The server streams step progress (HTTP: Server-Sent Events; gRPC: ReplaceStream): a bar on stderr, stdout stays the answer.
            var bar = new ProgressBar(context.Error);
            var png = (await client.ReplaceAsync(parse.GetValue(id)!, options, bar, ct).ConfigureAwait(false)).ImagePng;
            bar.Finish();

            await WriteFileAsync(context, parse, parse.GetValue(output)!, png, ct).ConfigureAwait(false);
            return CliApp.Ok;
        }));
        return command;
    }

    /// <summary>A one-line text progress bar, redrawn in place: <c>replace [########------------] 8/20 steps</c>.</summary>
    private sealed class ProgressBar(TextWriter writer) : IProgress<ReplaceProgress>
    {
        private const int Width = 30;
        private bool _drawn;

        public void Report(ReplaceProgress value)
        {
            var filled = value.Steps > 0 ? (int)Math.Round((double)Width * value.Step / value.Steps) : 0;
            writer.Write($"\rreplace [{new string('#', filled)}{new string('-', Width - filled)}] {value.Step}/{value.Steps} steps");
            writer.Flush();
            _drawn = true;
        }

        public void Finish()
        {
            if (_drawn)
            {
                writer.WriteLine();
            }
        }
    }

    private static Command Image(CliContext context)
    {
        var id = SessionId();
        var format = new Option<string>("--format") { Description = "png (default) or jpeg", DefaultValueFactory = _ => "png" };
        format.AcceptOnlyFromAmong("png", "jpeg");
        var output = Output();
        var command = new Command("image", "Download the current image version") { id, format, output };
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            var bytes = await client.GetImageAsync(parse.GetValue(id)!, parse.GetValue(format) == "jpeg" ? ImageFormat.Jpeg : ImageFormat.Png, ct).ConfigureAwait(false);
            await WriteFileAsync(context, parse, parse.GetValue(output)!, bytes, ct).ConfigureAwait(false);
            return CliApp.Ok;
        }));
        return command;
    }

    private static Command Close(CliContext context)
    {
        var id = SessionId();
        var command = new Command("close", "Close a session") { id };
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            await client.CloseSessionAsync(parse.GetValue(id)!, ct).ConfigureAwait(false);
            if (context.Json(parse))
            {
                context.WriteJson(new { id = parse.GetValue(id), closed = true });
            }
            else
            {
                context.Console.MarkupLine($"closed [bold]{Markup.Escape(parse.GetValue(id)!)}[/]");
            }

            return CliApp.Ok;
        }));
        return command;
    }

    private static Command Simple(CliContext context, string name, string description, Func<IAtelierClient, string, CancellationToken, Task<SessionInfo>> call)
    {
        var id = SessionId();
        var command = new Command(name, description) { id };
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            PrintSession(context, parse, await call(client, parse.GetValue(id)!, ct).ConfigureAwait(false));
            return CliApp.Ok;
        }));
        return command;
    }

    private static async Task WriteMaskAsync(CliContext context, ParseResult parse, FileInfo output, MaskImage mask, CancellationToken ct)
    {
        await File.WriteAllBytesAsync(output.FullName, mask.Png, ct).ConfigureAwait(false);
        if (context.Json(parse))
        {
            context.WriteJson(new { output = output.FullName, bytes = mask.Png.Length, score = mask.Score, silo = mask.Silo });
        }
        else
        {
            context.Console.MarkupLine($"mask written to [bold]{Markup.Escape(output.FullName)}[/] (score {mask.Score?.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) ?? "-"})");
        }
    }

    private static async Task WriteFileAsync(CliContext context, ParseResult parse, FileInfo output, byte[] bytes, CancellationToken ct)
    {
        await File.WriteAllBytesAsync(output.FullName, bytes, ct).ConfigureAwait(false);
        if (context.Json(parse))
        {
            context.WriteJson(new { output = output.FullName, bytes = bytes.Length });
        }
        else
        {
            context.Console.MarkupLine($"written [bold]{Markup.Escape(output.FullName)}[/] ({bytes.Length} bytes)");
        }
    }
}
