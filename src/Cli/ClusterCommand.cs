using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Atelier.Cli;

/// <summary><c>atelier cluster</c>: the silos and their load.</summary>
internal static class ClusterCommand
{
    public static void AddTo(RootCommand root, CliContext context)
    {
        var command = new Command("cluster", "Show the silos, their status and load");
        command.SetAction(context.Action(async (parse, client, ct) =>
        {
            var cluster = await client.GetClusterAsync(ct).ConfigureAwait(false);
            if (context.Json(parse))
            {
                context.WriteJson(cluster);
                return CliApp.Ok;
            }

            var table = new Table().AddColumns("silo", "address", "status", "sessions", "device MiB", "models", "queue");
            foreach (var silo in cluster.Silos)
            {
                table.AddRow(
                    Markup.Escape(silo.Name), Markup.Escape(silo.Address), Markup.Escape(silo.Status),
                    silo.Sessions.ToString(CultureInfo.InvariantCulture),
                    string.Create(CultureInfo.InvariantCulture, $"{silo.DeviceBytesUsed >> 20} / {silo.DeviceBytesBudget >> 20}"),
                    Markup.Escape(string.Join(", ", silo.ResidentModels)),
                    silo.QueueLength.ToString(CultureInfo.InvariantCulture));
            }

            context.Console.Write(table);
            return CliApp.Ok;
        }));
        root.Subcommands.Add(command);
    }
}
