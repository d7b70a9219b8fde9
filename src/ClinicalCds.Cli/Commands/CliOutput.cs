using Spectre.Console;

namespace ClinicalCds.Cli.Commands;

/// <summary>How verbs write tables: box-drawn in a terminal; written to a pipe or a log file, plain ASCII at natural width.</summary>
internal static class CliOutput
{
    public static void Write(Table table)
    {
        if (Console.IsOutputRedirected)
        {
            table.Border(TableBorder.Ascii);
        }

        AnsiConsole.Write(table);
    }
}
