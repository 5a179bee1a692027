using Comms.Core.Banners;
using Comms.Realtime;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Banners;

/// <summary>
/// Banners (<c>/admin/banners</c>): the template library (filtered by kind) and the activations, each active, scheduled or
/// ended, with <b>End now</b> (an active one ends at this instant; a scheduled one is removed) — through
/// <see cref="BannerService"/>, audited and pushed live like the API's <c>/sys/banner-activations</c>. SysOperators only.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class IndexModel(BannerService banners, LivePushes pushes, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Kind { get; set; }
    [BindProperty(SupportsGet = true)] public string? Done { get; set; }

    public IReadOnlyList<BannerTemplateView> Templates { get; private set; } = [];
    public IReadOnlyList<(BannerActivationView Activation, BannerTemplateView? Template, string State)> Activations { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var templates = await banners.ListTemplatesAsync(cancellationToken);
        var byId = templates.ToDictionary(t => t.Id);
        Templates = templates.Where(t => !BannerKinds.All.Contains(Kind) || t.Kind == Kind).OrderBy(t => t.Kind, StringComparer.Ordinal).ThenBy(t => t.Title, StringComparer.Ordinal).ToList();
        var now = time.GetUtcNow();
        Activations = (await banners.ListActivationsAsync(cancellationToken))
            .Select(a => (a, byId.GetValueOrDefault(a.TemplateId), StateOf(a, now)))
            .OrderBy(a => a.Item3 switch { "active" => 0, "scheduled" => 1, _ => 2 })
            .ThenByDescending(a => a.a.StartsAt)
            .ToList();
        return Page();
    }

    public async Task<IActionResult> OnPostEndAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        if (await banners.GetActivationAsync(id, cancellationToken) is not { } activation)
        {
            return NotFound();
        }

        var actor = ConsoleOperator.From(User).Actor;
        var now = time.GetUtcNow();
        var state = StateOf(activation, now);
        if (state == "scheduled")
        {
            if (await banners.DeleteActivationAsync(id, actor, cancellationToken) is { } removed)
            {
                pushes.BannersChanged(removed);
            }
        }
        else if (state == "active")
        {
            var request = new BannerActivationRequest(activation.TemplateId, activation.StartsAt, now, [.. activation.Tenants], [.. activation.Roles]);
            if ((await banners.UpdateActivationAsync(id, request, actor, cancellationToken)).Audience is { } audience)
            {
                pushes.BannersChanged(audience);
            }
        }

        return RedirectToPage(new { done = "ended" });
    }

    public static string StateOf(BannerActivationView a, DateTimeOffset now) =>
        a.EndsAt is { } ends && ends <= now ? "ended" : a.StartsAt > now ? "scheduled" : "active";
}
