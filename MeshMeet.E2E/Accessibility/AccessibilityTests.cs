using Deque.AxeCore.Playwright;
using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Accessibility;

/// <summary>axe-core over every page a person meets, and the call on a phone-sized screen.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    /// <summary>Runs axe-core on the page as it is now; serious and critical violations fail, the rest are logged.</summary>
    private async Task ExpectNoSeriousViolationsAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        var found = result.Violations.Select(v => $"{v.Impact} {v.Id}: {v.Help} at {string.Join(" | ", v.Nodes.Select(n => n.Target?.ToString()))}").ToList();
        foreach (var line in found) BrowserFixture.Log(output, $"[axe {what}] {line}");
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{what}: {string.Join("\n", found)}");
        BrowserFixture.Log(output, $"[axe {what}] {result.Passes.Length} rules passed, {result.Violations.Length} violations ({serious.Count} serious or critical)");
    }

    [Fact]
    public async Task Every_page_has_no_serious_or_critical_axe_violations()
    {
        var (email, room, _) = await People.HostWithRoomAsync(Browser.App);
        var visitor = await Browser.PersonAsync("visitor", output);
        foreach (var (path, what) in new[] { ("/", "home"), ("/Identity/Account/Login", "sign-in"), ("/Identity/Account/Register", "register") })
        {
            await visitor.GotoAsync(path);
            await ExpectNoSeriousViolationsAsync(visitor, what);
        }

        var host = new CallPage(await Browser.PersonAsync("host", output));
        await People.SignInAsync(host.Page, email);
        await host.Page.GotoAsync("/rooms");
        await ExpectNoSeriousViolationsAsync(host.Page, "rooms");
        await host.OpenAsync(room);
        await Expect(host.Page.Locator("#camera-select option").First).ToBeAttachedAsync();
        await ExpectNoSeriousViolationsAsync(host.Page, "pre-join");
        await host.JoinAsync(room, "Hanna");
        var ann = new CallPage(await Browser.PersonAsync("ann", output));
        await ann.JoinAsync(room, "Ann");
        await host.ExpectVideoPlayingAsync((await ann.SelfIdAsync())!);
        await ExpectNoSeriousViolationsAsync(host.Page, "in call (host)");
        await ann.Button("Chat").ClickAsync();
        await ExpectNoSeriousViolationsAsync(ann.Page, "in call (guest, chat open)");

        var admin = await Browser.PersonAsync("admin", output);
        await People.SignInAsync(admin, MeshMeetApp.AdminEmail, MeshMeetApp.AdminPassword);
        await admin.GotoAsync("/admin/audit");
        await ExpectNoSeriousViolationsAsync(admin, "admin audit");
    }

    [Fact]
    public async Task At_360_px_wide_the_whole_call_fits_and_every_control_can_be_reached()
    {
        var (_, room, _) = await People.HostWithRoomAsync(Browser.App);
        var ann = new CallPage(await Browser.PersonAsync("ann", output));
        await ann.Page.SetViewportSizeAsync(360, 740);
        await ann.JoinAsync(room, "Ann");
        var ben = new CallPage(await Browser.PersonAsync("ben", output));
        await ben.JoinAsync(room, "Ben");
        await ann.ExpectVideoPlayingAsync((await ben.SelfIdAsync())!);

        Assert.True(await ann.Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "the page scrolls sideways at 360 px");
        foreach (var name in new[] { "Mute", "Stop video", "Share screen", "Raise hand", "Chat", "Copy link", "Leave" })
        {
            var button = ann.Button(name);
            await button.ScrollIntoViewIfNeededAsync();
            await Expect(button).ToBeInViewportAsync();
        }
        // Everything is reachable by keyboard: Tab reaches Leave.
        var reached = false;
        for (var i = 0; i < 40 && !reached; i++)
        {
            await ann.Page.Keyboard.PressAsync("Tab");
            reached = await ann.Page.EvaluateAsync<bool>("() => document.activeElement?.id === 'leave-button'");
        }
        Assert.True(reached, "Tab never reached the Leave button");
        await ExpectNoSeriousViolationsAsync(ann.Page, "in call at 360 px");
    }
}
