using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages;

/// <summary>The home page: what to do next, with the addresses of this deployment.</summary>
[AllowAnonymous]
public sealed class IndexModel(IConfiguration configuration, IWebHostEnvironment environment) : PageModel
{
    public bool IsDevelopment => environment.IsDevelopment();

    /// <summary>The API's address as injected by the app host (service discovery key <c>services:api:http:0</c>).</summary>
    public string? ApiUrl => Loopback(configuration["services:api:http:0"]);

    /// <summary>The mail catcher's web UI, when the app host runs one (<c>Comms:Links:MailDev</c>).</summary>
    public string? MailDevUrl => Loopback(configuration["Comms:Links:MailDev"]);

    /// <summary>The Aspire dashboard, when the app host shows one (<c>Comms:Links:Dashboard</c>).</summary>
    public string? DashboardUrl => Loopback(configuration["Comms:Links:Dashboard"]);

    public string TryItCommand => $$$"""
        curl -i -X POST {{{ApiUrl ?? "http://127.0.0.1:5080"}}}/v1/events \
          -H 'Authorization: Bearer demo-api-key' -H 'Content-Type: application/json' \
          -d '{"name":"demo.welcome","recipients":["alice"],"causeRef":"signup:1","category":"account","payload":{"name":"Alice"}}'
        """;

    public void OnGet()
    {
    }

    /// <summary>Local addresses as the README writes them (the services listen on 127.0.0.1).</summary>
    private static string? Loopback(string? url) =>
        url?.TrimEnd('/').Replace("//localhost:", "//127.0.0.1:", StringComparison.Ordinal);
}
