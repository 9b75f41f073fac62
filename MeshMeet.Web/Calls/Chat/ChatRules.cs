namespace MeshMeet.Web.Calls.Chat;

/// <summary>What a chat message may be (DESIGN.md, SendChat). Pure; the hub relays what passes and stores nothing.</summary>
public static class ChatRules
{
    public const int MaxLength = 1000;

    /// <summary>The text as relayed (trimmed, line breaks as "\n"), or the words that say why not.</summary>
    public static (string? Text, string? Error) Clean(string? text)
    {
        var trimmed = (text ?? "").Replace("\r\n", "\n").Trim();
        if (trimmed.Length == 0) return (null, "A message needs some text.");
        if (trimmed.Length > MaxLength) return (null, $"A message can be at most {MaxLength} characters.");
        if (trimmed.Any(c => char.IsControl(c) && c != '\n')) return (null, "A message cannot contain control characters.");
        // Embeddings, overrides and isolates reorder what follows them, so a message could show someone else's name
        // or turn its words around; the page isolates each message anyway, these have no honest use in a chat line.
        if (trimmed.Any(IsBidiControl)) return (null, "A message cannot contain text-direction control characters.");
        return (trimmed, null);
    }

    private static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';
}

public sealed record SendChatRequest(string? Text);

public sealed record ChatMessage(string Id, string From, string DisplayName, string Text, DateTimeOffset SentAt);
