using System.Text.RegularExpressions;
using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Moderation;

[Collection(BrowserCollection.Name)]
public sealed class ModerationTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    private async Task<CallPage> PersonAsync(string name)
    {
        var page = await Browser.PersonAsync(name, output);
        page.Dialog += (_, dialog) => dialog.AcceptAsync(); // "Remove Ann from the call?" -> yes
        return new CallPage(page);
    }

    private async Task<(CallPage Host, string Room)> HostInCallAsync()
    {
        var (email, room, _) = await People.HostWithRoomAsync(Browser.App);
        var host = await PersonAsync("host");
        await People.SignInAsync(host.Page, email);
        await host.JoinAsync(room, "Hanna");
        return (host, room);
    }

    [Fact]
    public async Task The_host_kicks_a_guest_who_is_told_and_cannot_come_back_while_the_others_lose_the_tile()
    {
        var (host, room) = await HostInCallAsync();
        var ann = await PersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        var ben = await PersonAsync("ben");
        await ben.JoinAsync(room, "Ben");
        var annId = (await ann.SelfIdAsync())!;
        await ben.ExpectVideoPlayingAsync(annId);

        await host.Page.GetByRole(AriaRole.Button, new() { Name = "Kick Ann" }).ClickAsync();

        await ann.ExpectStateAsync("kicked");
        await Expect(ann.Page.GetByText("The host removed you from the call.")).ToBeVisibleAsync();
        await Expect(host.Tile(annId)).ToHaveCountAsync(0);
        await Expect(ben.Tile(annId)).ToHaveCountAsync(0);
        // Ann's media stops at once: nobody keeps a live connection to her.
        Assert.DoesNotContain("connected", await ann.Page.EvaluateAsync<string[]>("() => window.__peerConnections.map(pc => pc.connectionState)"));

        await ann.Page.GetByRole(AriaRole.Link, new() { Name = "Join again" }).ClickAsync();
        await ann.Page.GetByRole(AriaRole.Button, new() { Name = "Join", Exact = true }).ClickAsync();
        await ann.ExpectStateAsync("error");
        await Expect(ann.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("cannot rejoin");
    }

    [Fact]
    public async Task The_host_makes_Ann_co_host_who_then_kicks_Ben_but_never_the_host_until_the_host_takes_it_back()
    {
        var (host, room) = await HostInCallAsync();
        var ann = await PersonAsync("ann");
        await ann.JoinAsync(room, "Ann");
        var ben = await PersonAsync("ben");
        await ben.JoinAsync(room, "Ben");
        var (hostId, annId, benId) = ((await host.SelfIdAsync())!, (await ann.SelfIdAsync())!, (await ben.SelfIdAsync())!);
        // A guest has no host controls.
        await Expect(ann.Page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Kick") })).ToHaveCountAsync(0);
        await Expect(ann.Button("End for everyone")).ToBeHiddenAsync();

        await host.Button("Make Ann co-host").ClickAsync();

        await Expect(ann.Page.GetByText("The host made you a co-host")).ToBeVisibleAsync();
        await Expect(ben.Tile(annId).Locator(".cohost-badge")).ToBeVisibleAsync();
        await Expect(ann.Button("End for everyone")).ToBeVisibleAsync();
        await Expect(ann.Button("Kick Hanna")).ToHaveCountAsync(0); // nobody removes the room's owner
        await Expect(ben.Page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Kick") })).ToHaveCountAsync(0);
        await Expect(host.Button("Remove Ann as co-host")).ToBeVisibleAsync();

        await ann.Button("Kick Ben").ClickAsync();
        await ben.ExpectStateAsync("kicked");
        await Expect(host.Tile(benId)).ToHaveCountAsync(0);
        await Expect(ann.Tile(benId)).ToHaveCountAsync(0);

        await host.Button("Remove Ann as co-host").ClickAsync();
        await Expect(ann.Page.GetByText("You are no longer a co-host.")).ToBeVisibleAsync();
        await Expect(ann.Button("End for everyone")).ToBeHiddenAsync();
        await Expect(ann.Tile(hostId)).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task The_host_ends_the_call_for_everyone()
    {
        var (host, room) = await HostInCallAsync();
        var ann = await PersonAsync("ann");
        await ann.JoinAsync(room, "Ann");

        await host.Button("End for everyone").ClickAsync();

        await ann.ExpectStateAsync("closed");
        await Expect(ann.Page.GetByRole(AriaRole.Heading, new() { Name = "The host ended the call" })).ToBeVisibleAsync();
        await host.ExpectStateAsync("closed");
    }

    [Fact]
    public async Task A_locked_room_turns_newcomers_away_until_the_host_unlocks_it()
    {
        var (host, room) = await HostInCallAsync();

        await host.Button("Lock room").ClickAsync();
        await Expect(host.Button("Unlock room")).ToHaveAttributeAsync("aria-pressed", "true");
        var late = await PersonAsync("late");
        await late.OpenAsync(room);
        await late.ClickJoinAsync("Late Larry");

        await late.ExpectStateAsync("error");
        await Expect(late.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("locked");

        await host.Button("Unlock room").ClickAsync();
        await Expect(host.Button("Lock room")).ToHaveAttributeAsync("aria-pressed", "false");
        await late.Button("Join").ClickAsync();
        await late.ExpectStateAsync("in-call");
    }

    [Fact]
    public async Task The_rooms_page_shows_how_many_are_in_each_call_and_keeps_it_current()
    {
        var (email, room, _) = await People.HostWithRoomAsync(Browser.App, "Live count");
        var hostPage = await Browser.PersonAsync("host", output);
        await People.SignInAsync(hostPage, email);
        await hostPage.GotoAsync("/rooms");
        var count = hostPage.Locator($"[data-room-id='{room}'] .live-count");
        await Expect(count).ToHaveTextAsync("0 in the call");

        await using var guest = await CallClient.ConnectAsync(Browser.App);
        await guest.JoinAsync(room, "Guest");

        await Expect(count).ToHaveTextAsync("1 in the call", new() { Timeout = 12000 });
    }

    [Fact]
    public async Task An_admin_filters_the_audit_log_and_downloads_it_as_csv()
    {
        var (_, room, token) = await People.HostWithRoomAsync(Browser.App, $"Quarterly {Guid.NewGuid():N}"[..20]);
        await People.HostWithRoomAsync(Browser.App, "Some other room");
        var page = await Browser.PersonAsync("admin", output);
        await People.SignInAsync(page, MeshMeetApp.AdminEmail, MeshMeetApp.AdminPassword);

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await page.GetByLabel("Room (name or id)").FillAsync(room);

        await Expect(page).ToHaveURLAsync(new Regex($"room={room}"));
        var rows = page.Locator("#audit-results tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-room-id", room);

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("time,room id,room name,event,actor,participant,details", csv);
        Assert.Contains($",{room},", csv);
        Assert.Contains(",RoomCreated,", csv);
        Assert.DoesNotContain("Some other room", csv);

        await page.GoBackAsync();
        await Expect(page.GetByLabel("Room (name or id)")).ToHaveValueAsync("");
    }
}
