namespace MeshMeet.Tests.Calls;

public sealed class MediaRulesTests
{
    [Fact]
    public void Only_turning_on_what_the_host_holds_off_is_refused()
    {
        Assert.Equal(MediaRules.MicrophoneHeld, MediaRules.HeldOff(audioHeld: true, videoHeld: false, new SetMediaStateRequest(false, true)));
        Assert.Equal(MediaRules.CameraHeld, MediaRules.HeldOff(false, true, new SetMediaStateRequest(true, false)));
        Assert.Null(MediaRules.HeldOff(true, true, new SetMediaStateRequest(true, true, ScreenSharing: true)));
        Assert.Null(MediaRules.HeldOff(false, false, new SetMediaStateRequest(false, false)));
    }
}
