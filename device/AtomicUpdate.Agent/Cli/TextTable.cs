using System.Text;

namespace AtomicUpdate.Agent.Cli;

/// <summary>Plain left-aligned columns, two spaces apart, as <c>ls -l</c> and <c>systemctl list-units</c> print them.</summary>
internal static class TextTable
{
    public static string Format(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = headers.Select((_, column) => all.Max(row => row[column].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            var line = string.Concat(row.Select((cell, column) => cell.PadRight(widths[column] + 2)));
            text.Append(line.TrimEnd()).Append('\n');
        }
        return text.ToString();
    }
}
