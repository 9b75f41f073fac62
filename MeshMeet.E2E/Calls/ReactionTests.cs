using MeshMeet.E2E.Support;
using MeshMeet.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Calls;

[Collection(BrowserCollection.Name)]
public sealed class ReactionTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    [Fact]
    public async Task A_reaction_shows_over_the_senders_tile_on_all_three_pages_for_a_moment_and_is_announced()
    {
        var people = await GuestsInCallAsync(output, "Ann", "Ben", "Cleo");
        var (ann, ben, cleo) = (people[0], people[1], people[2]);
        var benId = (await ben.SelfIdAsync())!;

        // Ben uses the keyboard: the button opens the picker on its first emoji, an arrow moves, Enter sends.
        await ben.Button("Reactions").FocusAsync();
        await ben.Page.Keyboard.PressAsync("Enter");
        await Expect(ben.Button("Send thumbs up")).ToBeFocusedAsync();
        await ben.Page.Keyboard.PressAsync("ArrowRight");
        await ben.Page.Keyboard.PressAsync("Enter");

        await Expect(ben.Page.Locator("#reaction-picker")).ToBeHiddenAsync();
        await Expect(ben.Button("Reactions")).ToBeFocusedAsync();
        await Expect(ben.Page.Locator("[data-self-tile] [data-reaction='👏']")).ToBeVisibleAsync();
        await Expect(ben.Page.Locator("#reaction-announcer")).ToHaveTextAsync("You reacted with applause");
        // Both pages at once: the reaction lasts 3 s, and on a busy machine checking one page after the other used it up.
        await Task.WhenAll(new[] { ann, cleo }.Select(async other =>
        {
            await Expect(other.Tile(benId).Locator("[data-reaction='👏']")).ToBeVisibleAsync();
            await Expect(other.Page.Locator("#reaction-announcer")).ToHaveTextAsync("Ben reacted with applause");
            await Expect(other.Page.Locator("[data-self-tile] [data-reaction]")).ToHaveCountAsync(0);
        }));

        // About three seconds later it is gone everywhere.
        foreach (var person in people) await Expect(person.Page.Locator("[data-reaction]")).ToHaveCountAsync(0, new() { Timeout = 6000 });

        // A click works as well; Escape closes the picker without sending.
        await cleo.Button("Reactions").ClickAsync();
        await cleo.Page.Keyboard.PressAsync("Escape");
        await Expect(cleo.Page.Locator("#reaction-picker")).ToBeHiddenAsync();
        await cleo.Button("Reactions").ClickAsync();
        await cleo.Button("Send celebration").ClickAsync();
        var cleoId = (await cleo.SelfIdAsync())!;
        await Expect(ann.Tile(cleoId).Locator("[data-reaction='🎉']")).ToBeVisibleAsync();
        await Expect(ben.Tile(cleoId).Locator("[data-reaction='🎉']")).ToBeVisibleAsync();
        await Expect(ben.Tile(benId).Locator("[data-reaction]")).ToHaveCountAsync(0);
    }
}
