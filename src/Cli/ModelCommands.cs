using System.CommandLine;
using System.Globalization;
using Atelier.Client;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary><c>atelier models [list|add ID ARCHIVE|rm ID|load ID|unload ID]</c>.</summary>
internal static class ModelCommands
{
    public static void AddTo(RootCommand root, CliContext context)
    {
        var models = new Command("models", "List and manage models (default: list)");
        models.SetAction(context.Action((parse, client, ct) => ListAsync(context, parse, client, ct)));
        var list = new Command("list", "List the models");
        list.SetAction(context.Action((parse, client, ct) => ListAsync(context, parse, client, ct)));
        models.Subcommands.Add(list);
        models.Subcommands.Add(Add(context));
        models.Subcommands.Add(Remove(context));
        models.Subcommands.Add(LoadOrUnload(context, load: true));
        models.Subcommands.Add(LoadOrUnload(context, load: false));
        root.Subcommands.Add(models);
    }

    private static async Task<int> ListAsync(CliContext context, ParseResult parse, IAtelierClient client, CancellationToken ct)
    {
        var models = await client.ListModelsAsync(ct).ConfigureAwait(false);
        if (context.Json(parse))
        {
            context.WriteJson(models);
            return CliApp.Ok;
        }

        var table = new Table().AddColumns("id", "kind", "tenant", "size", "residency");
        foreach (var model in models)
        {
            var residency = string.Join(", ", model.Residency.Select(r => $"{r.Silo}:{r.State}"));
            table.AddRow(Markup.Escape(model.Id), model.Kind, Markup.Escape(model.Tenant ?? "-"),
                (model.SizeBytes / 1024.0 / 1024.0).ToString("0.0 'MiB'", CultureInfo.InvariantCulture), Markup.Escape(residency.Length == 0 ? "-" : residency));
        }

        context.Console.Write(table);
        return CliApp.Ok;
    }

    private static Command Add(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "Model id" };
        var archive = new Argument<FileInfo>("ARCHIVE") { Description = ".tar.gz or .zip holding model.json and its files" };
        var command = new Command("add", "Register (or replace) a model from an archive") { id, archive };
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            var model = await client.RegisterModelAsync(parse.GetValue(id)!, parse.GetValue(archive)!.FullName, ct).ConfigureAwait(false);
            if (context.Json(parse))
            {
                context.WriteJson(model);
            }
            else
            {
                context.Console.MarkupLine($"registered [bold]{Markup.Escape(model.Id)}[/] ({model.Kind})");
            }

            return CliApp.Ok;
        }));
        return command;
    }

    private static Command Remove(CliContext context)
    {
        var id = new Argument<string>("ID") { Description = "Model id" };
        var command = new Command("rm", "Unload a model everywhere and delete it") { id };
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            await client.DeleteModelAsync(parse.GetValue(id)!, ct).ConfigureAwait(false);
            if (context.Json(parse))
            {
                context.WriteJson(new { id = parse.GetValue(id), deleted = true });
            }
            else
            {
                context.Console.MarkupLine($"deleted [bold]{Markup.Escape(parse.GetValue(id)!)}[/]");
            }

            return CliApp.Ok;
        }));
        return command;
    }

    private static Command LoadOrUnload(CliContext context, bool load)
    {
        var id = new Argument<string>("ID") { Description = "Model id" };
        var silo = new Option<string?>("--silo") { Description = "Silo name (default: the silo that answers)" };
        var command = new Command(load ? "load" : "unload", load ? "Load a model onto a silo's device" : "Unload a model from a silo's device") { id, silo };
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            object result = load
                ? await client.LoadModelAsync(parse.GetValue(id)!, parse.GetValue(silo), ct).ConfigureAwait(false)
                : await client.UnloadModelAsync(parse.GetValue(id)!, parse.GetValue(silo), ct).ConfigureAwait(false);
            if (context.Json(parse))
            {
                context.WriteJson(result);
            }
            else
            {
                context.Console.MarkupLine(Markup.Escape(result switch
                {
                    ModelResidencyInfo r => $"{parse.GetValue(id)} on {r.Silo}: {r.State}",
                    UnloadResult u => $"{u.Model} on {u.Silo}: {(u.Unloaded ? "unloaded" : "was not loaded")}",
                    _ => result.ToString() ?? "",
                }));
            }

            return CliApp.Ok;
        }));
        return command;
    }
}
