using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MeshMeet.Web.Home;

/// <summary>What a person sees for an unknown address, a refused request or a server fault; never a stack trace.</summary>
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ErrorModel : PageModel
{
    public string Title { get; private set; } = "Something went wrong";
    public string Message { get; private set; } = "The server could not finish that request. Nothing was changed.";

    public void OnGet(int? status) => Describe(status);
    public void OnPost(int? status) => Describe(status);

    private void Describe(int? status)
    {
        var error = HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (error is not null && DatabaseHealthCheck.IsDatabaseFailure(error))
        {
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            (Title, Message) = ("The database is unavailable", "Nothing was changed. Please try again in a moment.");
            return;
        }
        (Title, Message) = status switch
        {
            404 => ("Page not found", "There is nothing at this address."),
            403 => ("Not allowed", "Your account may not open this page."),
            400 => ("Bad request", "The request could not be understood."),
            _ => (Title, Message),
        };
    }
}
