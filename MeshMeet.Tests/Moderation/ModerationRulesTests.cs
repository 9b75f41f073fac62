using MeshMeet.Web.Moderation;

namespace MeshMeet.Tests.Moderation;

public sealed class ModerationRulesTests
{
    [Fact]
    public void The_owner_in_the_room_may_moderate() =>
        Assert.Equal(ModerationVerdict.Allowed, ModerationRules.MayModerate(true, "owner", "owner"));

    [Theory]
    [InlineData(null)]
    [InlineData("another-host")]
    public void A_guest_or_another_host_may_not(string? caller) =>
        Assert.Equal(ModerationVerdict.NotOwner, ModerationRules.MayModerate(true, caller, "owner"));

    [Fact]
    public void The_owner_outside_the_room_may_not() =>
        Assert.Equal(ModerationVerdict.NotInRoom, ModerationRules.MayModerate(false, "owner", "owner"));

    [Fact]
    public void The_owner_kicks_a_participant_of_the_room_but_not_themselves_nor_a_stranger()
    {
        Assert.Equal(ModerationVerdict.Allowed, ModerationRules.MayKick(true, "owner", "owner", "me", "them", true));
        Assert.Equal(ModerationVerdict.CannotKickSelf, ModerationRules.MayKick(true, "owner", "owner", "me", "me", true));
        Assert.Equal(ModerationVerdict.TargetNotInRoom, ModerationRules.MayKick(true, "owner", "owner", "me", "them", false));
    }

    [Fact]
    public void A_guest_learns_nothing_about_the_target_from_a_refused_kick() =>
        Assert.Equal(ModerationVerdict.NotOwner, ModerationRules.MayKick(true, null, "owner", "me", "them", false));
}
