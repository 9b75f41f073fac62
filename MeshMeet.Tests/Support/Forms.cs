using System.Net;
using System.Text.RegularExpressions;

namespace MeshMeet.Tests.Support;

/// <summary>Fills in server-rendered forms the way a browser does: antiforgery token from the page, then POST.</summary>
public static partial class Forms
{
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string pageUrl)
    {
        var token = await TryAntiforgeryTokenAsync(client, pageUrl);
        Assert.True(token is not null, $"No antiforgery token on {pageUrl}");
        return token;
    }

    /// <summary>The page's antiforgery token, or null if the page is not there for this client (or has no form).</summary>
    public static async Task<string?> TryAntiforgeryTokenAsync(HttpClient client, string pageUrl)
    {
        var response = await client.GetAsync(pageUrl);
        if (!response.IsSuccessStatusCode) return null;
        var match = TokenInput().Match(await response.Content.ReadAsStringAsync());
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string pageUrl, string postUrl,
        IDictionary<string, string> fields, bool htmx = false)
    {
        var token = await AntiforgeryTokenAsync(client, pageUrl);
        var request = new HttpRequestMessage(HttpMethod.Post, postUrl)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token }),
        };
        if (htmx) request.Headers.Add("HX-Request", "true");
        return await client.SendAsync(request);
    }

    /// <summary>Registers a host through the Identity UI; the client is then signed in.</summary>
    public static async Task<string> RegisterAsync(HttpClient client, string? email = null, string password = MeshMeetApp.Password)
    {
        email ??= $"host-{Guid.NewGuid():N}@meshmeet.test";
        var response = await PostAsync(client, "/Identity/Account/Register", "/Identity/Account/Register", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return email;
    }

    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password) =>
        await PostAsync(client, "/Identity/Account/Login", "/Identity/Account/Login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
