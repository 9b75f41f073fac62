using MeshMeet.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MeshMeet.E2E.Support;

/// <summary>Base of browser test classes: whoever a test brought in leaves when it ends.</summary>
public abstract class BrowserTest(BrowserFixture fixture) : IAsyncLifetime
{
    protected BrowserFixture Browser => fixture;
    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Guests of these names join a new room, one after another.</summary>
    protected async Task<CallPage[]> GuestsInCallAsync(ITestOutputHelper output, params string[] names)
    {
        var (_, room, _) = await People.HostWithRoomAsync(fixture.App);
        var people = new List<CallPage>();
        foreach (var name in names)
        {
            var person = new CallPage(await fixture.PersonAsync(name.ToLowerInvariant(), output));
            await person.JoinAsync(room, name);
            people.Add(person);
        }
        return [.. people];
    }
    public Task DisposeAsync() => fixture.CloseEveryoneAsync();
}

public static class People
{
    /// <summary>Signs a host in through the sign-in page, as they would.</summary>
    public static async Task SignInAsync(IPage page, string email, string password = MeshMeetApp.Password)
    {
        await page.GotoAsync("/Identity/Account/Login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        // Signed in is what the person sees: the Sign out button off the login page. Waiting for the next page's
        // load event instead timed out once on a loaded CI machine with the page already there.
        try
        {
            await page.WaitForURLAsync(url => !url.Contains("/Login"), new() { WaitUntil = WaitUntilState.Commit });
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Still not signed in at {page.Url}: {await page.Locator("main").InnerTextAsync()}", e);
        }
    }

    /// <summary>A host account with a room, made through the API; returns the host's email and the room id.</summary>
    public static async Task<(string Email, string RoomId, string Token)> HostWithRoomAsync(MeshMeetApp app, string name = "Standup", int? capacity = null)
    {
        var email = await app.CreateHostAsync();
        var token = await app.TokenAsync(email);
        return (email, await app.CreateRoomAsync(token, name, capacity), token);
    }
}
