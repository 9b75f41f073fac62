using System.Globalization;
using System.Text;

namespace MeshMeet.Web.Infrastructure;

/// <summary>
/// Shared rule for names people type (room names, display names): NFC-normalised, invisible format characters removed
/// (zero-width spaces and joiners, bidi overrides and isolates: they let a name look like another), trimmed, bounded,
/// no control characters.
/// </summary>
public static class NameRules
{
    /// <summary>Returns the cleaned name, or an error message naming what is wrong.</summary>
    public static (string? Value, string? Error) Clean(string? raw, int maxLength, string what)
    {
        var normalized = (raw ?? "").Normalize(NormalizationForm.FormC);
        var name = string.Concat(normalized.EnumerateRunes().Where(r => Rune.GetUnicodeCategory(r) != UnicodeCategory.Format)).Trim();
        if (name.Length == 0) return (null, $"{what} is required.");
        if (name.EnumerateRunes().Count() > maxLength) return (null, $"{what} must be at most {maxLength} characters.");
        if (name.Any(char.IsControl)) return (null, $"{what} must not contain control characters.");
        return (name, null);
    }
}
