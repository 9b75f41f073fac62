namespace MeshMeet.Tests.Presence;

public sealed class JoinDeciderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
    private static readonly JoinAttempt Bo = new("pub1", "p-new", "Bo", null, T0);

    private static JoinFacts Facts(int present = 1, bool locked = false, bool barred = false, bool resumes = false, bool owner = false) =>
        new(barred, resumes, locked, owner, present, Capacity: 4, OwnerSeated: true);

    [Fact]
    public void An_admission_records_who_joined_as_a_guest_or_as_the_host()
    {
        var guest = JoinDecider.Decide(Facts(), Bo);
        Assert.Equal(JoinDecision.Admit, guest.Decision);
        Assert.Equal(new ParticipantJoined("pub1", "p-new", "Bo", false, "p-new", T0), Assert.Single(guest.Events));

        var host = JoinDecider.Decide(Facts(owner: true), Bo with { UserId = "u1" });
        Assert.Equal(new ParticipantJoined("pub1", "p-new", "Bo", true, "u1", T0), Assert.Single(host.Events));
    }

    [Fact]
    public void A_resume_records_nothing_since_the_participant_never_left() =>
        Assert.Equal((JoinDecision.Resume, 0), (JoinDecider.Decide(Facts(present: 4, resumes: true), Bo) is var v ? (v.Decision, v.Events.Count) : default));

    [Theory]
    [InlineData(4, false, false, "full", "This room is full (4 of 4 people)")]
    [InlineData(1, true, false, "locked", "locked this room")]
    [InlineData(1, false, true, "barred", "removed you")]
    public void A_refusal_says_why_in_words_and_records_the_reason(int present, bool locked, bool barred, string reason, string words)
    {
        var verdict = JoinDecider.Decide(Facts(present, locked, barred), Bo);
        Assert.Contains(words, verdict.Refusal);
        Assert.Equal(new JoinRefused("pub1", "Bo", reason, "guest", T0), Assert.Single(verdict.Events));
    }
}
