namespace MeshMeet.Web.Calls.Reactions;

/// <summary>Reactions: one of a fixed set of emoji, shown over the sender's tile for a moment and stored nowhere.</summary>
public static class ReactionRules
{
    /// <summary>What the picker offers, in its order, with the words a screen reader says for each. A fixed set:
    /// nobody can send text through a reaction.</summary>
    public static readonly IReadOnlyList<(string Emoji, string Name)> Choices =
    [
        ("👍", "thumbs up"), ("👏", "applause"), ("😂", "laughter"), ("❤️", "heart"), ("🎉", "celebration"), ("😮", "surprise"),
    ];

    /// <summary>The emoji as relayed, or the words that say why not.</summary>
    public static (string? Emoji, string? Error) Check(string? emoji) =>
        Choices.Any(c => c.Emoji == emoji) ? (emoji, null)
            : (null, $"A reaction is one of {string.Join(" ", Choices.Select(c => c.Emoji))}.");
}

public sealed record SendReactionRequest(string? Emoji);

/// <param name="Id">The participant who reacted.</param>
public sealed record Reaction(string Id, string Emoji);
