namespace MeshMeet.Web.Infrastructure;

public static class Htmx
{
    /// <summary>An htmx request that wants a fragment (a history restore after a cache miss wants the whole page).</summary>
    public static bool WantsFragment(this HttpRequest request) =>
        request.Headers.ContainsKey("HX-Request") && !request.Headers.ContainsKey("HX-History-Restore-Request");

    /// <summary>Responses that differ by HX-Request must say so, or a cache may serve a fragment as a page.</summary>
    public static void VaryOnHtmx(this HttpResponse response) => response.Headers.Vary = "HX-Request";
}
