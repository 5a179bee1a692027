using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages;

[AllowAnonymous]
public sealed class IndexModel(IConfiguration configuration, IWebHostEnvironment environment) : PageModel
{
    public bool IsDevelopment => environment.IsDevelopment();

    /// <summary>The API's address as injected by the app host (service discovery key <c>services:api:http:0</c>).</summary>
    public string? ApiUrl => configuration["services:api:http:0"];

    public void OnGet()
    {
    }
}
