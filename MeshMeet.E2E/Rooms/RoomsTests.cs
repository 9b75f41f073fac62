using MeshMeet.E2E.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace MeshMeet.E2E.Rooms;

[Collection(BrowserCollection.Name)]
public sealed class RoomsTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTest(fixture)
{
    [Fact]
    public async Task A_person_signs_up_creates_a_room_sees_its_link_and_deletes_it()
    {
        var page = await Browser.PersonAsync("host", output);
        var email = $"new-{Guid.NewGuid():N}@meshmeet.test";
        page.Dialog += (_, dialog) => dialog.AcceptAsync();

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign up to host" }).ClickAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Brand-new-Pa55!");
        await page.GetByLabel("Confirm Password").FillAsync("Brand-new-Pa55!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "My rooms" }).ClickAsync();

        await page.GetByLabel("Room name").FillAsync("Design review");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();

        var link = page.GetByRole(AriaRole.Textbox, new() { Name = "Link to Design review" });
        await Expect(link).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(@"/r/[A-Za-z0-9_-]{22}$"));
        await Expect(page.GetByLabel("Room name")).ToHaveValueAsync(""); // the form is ready for the next room
        var url = await link.InputValueAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete Design review" }).ClickAsync();

        await Expect(page.GetByText("You have no rooms yet")).ToBeVisibleAsync();
        var gone = await page.GotoAsync(url);
        Assert.Equal(404, gone!.Status);
    }

    [Fact]
    public async Task An_empty_room_name_is_explained_next_to_the_field()
    {
        var page = await Browser.PersonAsync("host", output);
        await People.SignInAsync(page, await Browser.App.CreateHostAsync());
        await page.GotoAsync("/rooms");

        await page.GetByRole(AriaRole.Button, new() { Name = "Create room" }).ClickAsync();

        await Expect(page.GetByText("Room name is required.")).ToBeVisibleAsync();
        await Expect(page.GetByText("You have no rooms yet")).ToBeVisibleAsync();
    }
}
