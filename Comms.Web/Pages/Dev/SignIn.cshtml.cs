using Comms.Core.Data;
using Comms.Web.Session;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Web.Pages.Dev;

/// <summary>Development only (404 elsewhere): sign in as any seeded recipient, without a token.</summary>
[AllowAnonymous]
public sealed class SignInModel(CommsDbContext db, IWebHostEnvironment environment) : PageModel
{
    public IReadOnlyList<SeededUser> Users { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment())
        {
            return NotFound();
        }

        Users = await db.Recipients.AsNoTracking().OrderBy(r => r.TenantId).ThenBy(r => r.ExternalId).Take(200)
            .Select(r => new SeededUser(r.TenantId, r.ExternalId, r.Email)).ToListAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? user, CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment())
        {
            return NotFound();
        }

        var parts = user?.Split('/', 2);
        if (parts is not [var tenant, var externalId]
            || !await db.Recipients.AnyAsync(r => r.TenantId == tenant && r.ExternalId == externalId, cancellationToken))
        {
            return BadRequest();
        }

        await EndUserAuth.SignInAsync(HttpContext, tenant, externalId, kid: null);
        return LocalRedirect("/notifications");
    }

    public sealed record SeededUser(string TenantId, string ExternalId, string? Email);
}
