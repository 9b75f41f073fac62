using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Calls;

/// <summary>People who are quicker than their camera (Join clicked while it is still starting) or than the page's
/// script (Join clicked before it runs).</summary>
[Collection(BrowserCollection.Name)]
public sealed class JoinTimingTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    [Fact]
    public async Task Join_clicked_before_the_camera_starts_waits_for_it_and_everyone_then_sees_and_hears_that_person()
    {
        var (_, room, _) = await People.HostWithRoomAsync(Browser.App);
        var ann = new CallPage(await Browser.PersonAsync("ann", output));
        await ann.JoinAsync(room, "Ann");
        var ben = new CallPage(await Browser.PersonAsync("ben", output));
        await ben.JoinAsync(room, "Ben");

        var cleoPage = await Browser.PersonAsync("cleo", output);
        await cleoPage.Context.AddInitScriptAsync(PageScripts.SlowCamera);
        var cleo = new CallPage(cleoPage);
        await cleo.OpenAsync(room);
        await cleo.ClickJoinAsync("Cleo"); // the camera is still starting
        await cleo.ExpectStateAsync("joining");

        // Once the camera is up (4 s), Cleo is in, and both others see her video and hear her within 5 s.
        await Expect(cleo.CallRoot).ToHaveAttributeAsync("data-call-state", "in-call", new() { Timeout = 15_000 });
        var cleoId = (await cleo.SelfIdAsync())!;
        await ann.ExpectVideoPlayingAsync(cleoId, timeoutMs: 5000);
        await ben.ExpectVideoPlayingAsync(cleoId, timeoutMs: 5000);
        await CallPage.ExpectEveryPairPlayingAsync(ann, ben, cleo);
        Assert.Equal(2, (await cleo.InboundAudioPacketsAsync()).Length);
        // Her self view shows her camera too.
        await cleoPage.WaitForFunctionAsync("() => document.querySelector('[data-self-tile] video').videoWidth > 0");
    }

    [Fact]
    public async Task Join_waits_for_the_call_script_so_an_early_click_is_not_lost_to_a_reload()
    {
        var (_, room, _) = await People.HostWithRoomAsync(Browser.App);
        var page = await Browser.PersonAsync("dan", output);
        // The call script (call.js, fingerprinted) arrives 2 s late, as on a slow connection or a busy machine.
        var script = new TaskCompletionSource();
        await page.RouteAsync(url => url.Contains("/app/call/call."), async route =>
        {
            await Task.Delay(2000);
            await route.ContinueAsync();
            script.TrySetResult();
        });
        var dan = new CallPage(page);
        await page.GotoAsync($"/r/{room}", new() { WaitUntil = WaitUntilState.Commit });
        await Expect(dan.Button("Join")).ToBeDisabledAsync();
        Assert.False(script.Task.IsCompleted);

        await dan.JoinFromPreJoinAsync("Dan"); // Playwright clicks once the script has enabled Join
        Assert.True(script.Task.IsCompleted);
        Assert.NotNull(await dan.SelfIdAsync());
    }
}
