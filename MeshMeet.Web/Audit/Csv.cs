using System.Text;

namespace MeshMeet.Web.Audit;

/// <summary>CSV cells that spreadsheets open as plain text: quoted when needed, formulas defused.</summary>
public static class Csv
{
    public static string Row(params string[] cells) => string.Join(',', cells.Select(Cell)) + "\r\n";

    public static string Cell(string value)
    {
        // A leading = + - @ (or tab/CR) makes Excel and LibreOffice evaluate the cell; a leading quote keeps it text.
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        if (value.IndexOfAny([',', '"', '\n', '\r']) < 0) return value;
        return new StringBuilder("\"").Append(value.Replace("\"", "\"\"")).Append('"').ToString();
    }
}
