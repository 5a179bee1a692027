using Comms.Core.Banners;
using Comms.Core.Templates;
using Comms.Realtime;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.Banners;

/// <summary>
/// A banner template (<c>/admin/banners/templates/new</c>, <c>/admin/banners/templates/{id}</c>): kind, title, Markdown body
/// with a preview rendered on the server as the users will see it (<c>?handler=Preview</c>, JSON), link, severity,
/// dismissible. Saved through <see cref="BannerService"/> with the API's validation and audit rows; a change to a template
/// with activations is pushed live (<c>bannersChanged</c>). SysOperators only.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class TemplateModel(BannerService banners, LivePushes pushes) : PageModel
{
    [BindProperty] public BannerTemplateForm Form { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? Done { get; set; }

    public BannerTemplateView? Existing { get; private set; }
    public IReadOnlyList<BannerActivationView> Activations { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string PreviewHtml { get; private set; } = "";

    public string? Error(string field) => Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (Existing is not null)
        {
            Form = BannerTemplateForm.From(Existing);
        }

        PreviewHtml = Render(Form.Body);
        return Page();
    }

    /// <summary>The body rendered as users see it (Markdown to sanitized HTML), for the live preview.</summary>
    public IActionResult OnPostPreview()
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        Response.Headers.CacheControl = "no-store";
        return new JsonResult(new { html = Render(Form.Body) });
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        var request = Form.ToRequest();
        Errors = BannerValidation.Template(request);
        PreviewHtml = Render(Form.Body);
        if (Errors.Count > 0)
        {
            return Page();
        }

        var actor = ConsoleOperator.From(User).Actor;
        if (Existing is null)
        {
            var created = await banners.CreateTemplateAsync(request, actor, cancellationToken);
            return RedirectToPage(new { id = created.Id, done = "created" });
        }

        var (_, audience) = await banners.UpdateTemplateAsync(Existing.Id, request, actor, cancellationToken);
        if (audience is not null)
        {
            pushes.BannersChanged(audience);
        }

        return RedirectToPage(new { id = Existing.Id, done = "saved" });
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (await banners.DeleteTemplateAsync(id, ConsoleOperator.From(User).Actor, cancellationToken) is { } audience)
        {
            pushes.BannersChanged(audience);
        }

        return Redirect("/admin/banners?done=deleted");
    }

    private static string Render(string? markdown) => string.IsNullOrWhiteSpace(markdown) ? "" : MarkdownRenderer.ToSafeHtml(markdown);

    private async Task<IActionResult?> LoadAsync(Guid? id, CancellationToken cancellationToken)
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        if (id is { } templateId)
        {
            if (await banners.GetTemplateAsync(templateId, cancellationToken) is not { } existing)
            {
                return NotFound();
            }

            Existing = existing;
            Activations = (await banners.ListActivationsAsync(cancellationToken)).Where(a => a.TemplateId == templateId).ToList();
        }

        return null;
    }
}

/// <summary>The template form's fields (blank link = none).</summary>
public sealed class BannerTemplateForm
{
    public string Kind { get; set; } = "maintenance";
    public string? Title { get; set; }
    public string? Body { get; set; }
    public string? Link { get; set; }
    public string Severity { get; set; } = "info";
    public bool Dismissible { get; set; } = true;

    public BannerTemplateRequest ToRequest() =>
        new(Kind, Title?.Trim(), Body, string.IsNullOrWhiteSpace(Link) ? null : Link.Trim(), Severity, Dismissible);

    public static BannerTemplateForm From(BannerTemplateView view) => new()
    {
        Kind = view.Kind, Title = view.Title, Body = view.Body, Link = view.Link, Severity = view.Severity, Dismissible = view.Dismissible,
    };
}
