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
    public void A_co_host_of_the_call_may_moderate_and_kick_but_not_the_owner_and_may_not_appoint()
    {
        Assert.Equal(ModerationVerdict.Allowed, ModerationRules.MayModerate(true, null, "owner", callerIsCohost: true));
        Assert.Equal(ModerationVerdict.NotInRoom, ModerationRules.MayModerate(false, null, "owner", callerIsCohost: true));
        Assert.Equal(ModerationVerdict.Allowed, ModerationRules.MayKick(true, null, "owner", "me", "them", true, callerIsCohost: true));
        Assert.Equal(ModerationVerdict.TargetIsOwner, ModerationRules.MayKick(true, null, "owner", "me", "host", true, callerIsCohost: true, targetIsOwner: true));
        Assert.Equal(ModerationVerdict.NotRoomOwner, ModerationRules.MayAppoint(true, "someone", "owner", "me", "them", true));
        Assert.Equal(ModerationVerdict.NotRoomOwner, ModerationRules.MayAppoint(true, null, "owner", "me", "them", true));
    }

    [Fact]
    public void The_owner_appoints_someone_else_in_the_room()
    {
        Assert.Equal(ModerationVerdict.Allowed, ModerationRules.MayAppoint(true, "owner", "owner", "me", "them", true));
        Assert.Equal(ModerationVerdict.TargetIsOwner, ModerationRules.MayAppoint(true, "owner", "owner", "me", "me", true));
        Assert.Equal(ModerationVerdict.TargetNotInRoom, ModerationRules.MayAppoint(true, "owner", "owner", "me", "them", false));
        Assert.Equal(ModerationVerdict.NotInRoom, ModerationRules.MayAppoint(false, "owner", "owner", "me", "them", true));
    }

    [Fact]
    public void A_guest_learns_nothing_about_the_target_from_a_refused_kick() =>
        Assert.Equal(ModerationVerdict.NotOwner, ModerationRules.MayKick(true, null, "owner", "me", "them", false));
}
