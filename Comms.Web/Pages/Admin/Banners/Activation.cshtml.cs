using System.Globalization;
using Comms.Core.Banners;
using Comms.Realtime;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Banners;

/// <summary>
/// A banner activation (<c>/admin/banners/activations?templateId=…</c> new, <c>/admin/banners/activations/{id}</c> edit):
/// the template, when it starts and ends (UTC; blank start = now, blank end = until ended), the audience (tenants and/or
/// roles; blank = everyone). Saved through <see cref="BannerService"/> with the API's validation and audit rows, pushed
/// live as <c>bannersChanged</c>. SysOperators only.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class ActivationModel(BannerService banners, LivePushes pushes, TimeProvider time) : PageModel
{
    public const string TimeFormat = "yyyy-MM-ddTHH:mm";

    [BindProperty(SupportsGet = true)] public Guid? TemplateId { get; set; }
    [BindProperty] public string? StartsAt { get; set; }
    [BindProperty] public string? EndsAt { get; set; }
    [BindProperty] public string? Tenants { get; set; }
    [BindProperty] public string? Roles { get; set; }
    [BindProperty(SupportsGet = true)] public string? Done { get; set; }

    public BannerActivationView? Existing { get; private set; }
    public IReadOnlyList<BannerTemplateView> Templates { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = [];

    public string? Error(string field) => Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    public static string Format(DateTimeOffset? t) => t?.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture) ?? "";

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (Existing is { } a)
        {
            (TemplateId, StartsAt, EndsAt) = (a.TemplateId, Format(a.StartsAt), Format(a.EndsAt));
            (Tenants, Roles) = (string.Join(", ", a.Tenants), string.Join(", ", a.Roles));
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        var now = time.GetUtcNow();
        var starts = ParseTime("startsAt", StartsAt) ?? (string.IsNullOrWhiteSpace(StartsAt) ? now : null);
        var ends = ParseTime("endsAt", EndsAt);
        if (Errors.Count > 0)
        {
            return Page();
        }

        var request = new BannerActivationRequest(TemplateId, starts, ends, Split(Tenants), Split(Roles));
        Errors = BannerValidation.Activation(request);
        if (Errors.Count > 0)
        {
            return Page();
        }

        var (templateExists, referenceErrors) = await banners.CheckReferencesAsync(request, cancellationToken);
        Errors = referenceErrors;
        if (!templateExists)
        {
            Errors["templateId"] = ["Choose a banner template."];
        }

        if (Errors.Count > 0)
        {
            return Page();
        }

        var actor = ConsoleOperator.From(User).Actor;
        if (Existing is null)
        {
            var (view, audience) = await banners.CreateActivationAsync(request, actor, cancellationToken);
            pushes.BannersChanged(audience);
            return RedirectToPage(new { id = view.Id, done = "saved" });
        }

        var (updated, changed) = await banners.UpdateActivationAsync(Existing.Id, request, actor, cancellationToken);
        if (updated is null)
        {
            return NotFound();
        }

        pushes.BannersChanged(changed!);
        return RedirectToPage(new { id = Existing.Id, done = "saved" });
    }

    private DateTimeOffset? ParseTime(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (DateTime.TryParseExact(value.Trim(), [TimeFormat, "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return new DateTimeOffset(parsed, TimeSpan.Zero);
        }

        Errors[field] = ["Give a date and time (UTC) such as 2026-12-01T02:00."];
        return null;
    }

    private static List<string>? Split(string? value)
    {
        var parts = (value ?? "").Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 0 ? null : [.. parts];
    }

    private async Task<IActionResult?> LoadAsync(Guid? id, CancellationToken cancellationToken)
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        Templates = await banners.ListTemplatesAsync(cancellationToken);
        if (id is { } activationId)
        {
            if (await banners.GetActivationAsync(activationId, cancellationToken) is not { } existing)
            {
                return NotFound();
            }

            Existing = existing;
        }

        return null;
    }
}
