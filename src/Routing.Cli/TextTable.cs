namespace Routing.Cli;

/// <summary>A plain aligned table for people: upper-case headers, columns padded with two spaces.</summary>
public sealed class TextTable
{
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public TextTable(params string[] headers) => _headers = headers;

    public void Add(params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"expected {_headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        _rows.Add(cells);
    }

    public void Write(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var widths = new int[_headers.Length];
        for (var c = 0; c < widths.Length; c++)
        {
            widths[c] = _headers[c].Length;
            foreach (var row in _rows)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        WriteRow(output, _headers, widths);
        foreach (var row in _rows)
        {
            WriteRow(output, row, widths);
        }
    }

    private static void WriteRow(TextWriter output, string[] cells, int[] widths)
    {
        for (var c = 0; c < cells.Length; c++)
        {
            output.Write(c == cells.Length - 1 ? cells[c] : cells[c].PadRight(widths[c] + 2));
        }

        output.WriteLine();
    }
}
