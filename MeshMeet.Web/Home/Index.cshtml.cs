using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MeshMeet.Web.Home;

public sealed class IndexModel : PageModel
{
    public bool SignedIn => User.Identity?.IsAuthenticated == true;
}
