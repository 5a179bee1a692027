using System.Text.Json;
using Comms.Core.Data;
using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Comms.Core.Tenancy;
using Comms.Web.Admin;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Comms.Web.Pages.Admin.Tenants;

/// <summary>The editor's fields: the content of the template's channel, its category and variables schema, and a sample payload.</summary>
public sealed class TemplateForm
{
    public string? Category { get; set; }
    public string? Subject { get; set; }
    public string? Html { get; set; }
    public string? Text { get; set; }
    public string? Title { get; set; }
    public string? Body { get; set; }
    public string? Link { get; set; }
    public string? Json { get; set; }
    public string? VariablesSchema { get; set; }
    public string? SamplePayload { get; set; }

    public TemplateContent Content() => new()
    {
        Subject = Blank(Subject), Html = Blank(Html), Text = Blank(Text), Title = Blank(Title), Body = Blank(Body), Link = Blank(Link), Json = Blank(Json),
    };

    public static TemplateForm From(Template template, string? sample) => new()
    {
        Category = template.Category, Subject = template.Content.Subject, Html = template.Content.Html, Text = template.Content.Text,
        Title = template.Content.Title, Body = template.Content.Body, Link = template.Content.Link, Json = template.Content.Json,
        VariablesSchema = template.VariablesSchema, SamplePayload = sample,
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>
/// The template editor (<c>/admin/tenants/{id}/templates/{name}/{channel}/{locale}</c>): the draft's content for its
/// channel, category and JSON-schema of variables, with a **live preview** rendered server-side as you type (the API's
/// <see cref="TemplatePreviewer"/> against a sample payload; <c>?handler=Preview</c>, JSON, fetched by
/// <c>wwwroot/js/admin-template.js</c>), Save draft and Publish (fresh-auth; a critical template goes to the approval
/// queue) through <see cref="TemplateService"/>, the versions, and diffs between two versions or with another locale.
/// The variables are edited in a table kept in sync with the JSON Schema text (<c>wwwroot/js/admin-template-variables.js</c>),
/// whose problems the preview handler reports as you type. A SysOperator or the tenant's CommsEditor edits; others read.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class TemplateEditorModel(
    IDbContextFactory<CommsDbContext> contexts, TenantService tenants, TenantCatalog catalog, TemplateService templates, TemplatePreviewer previewer,
    ConsoleFreshAuth freshAuth) : PageModel
{
    [BindProperty(SupportsGet = true)] public string Id { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string Name { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string Channel { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string Locale { get; set; } = "";
    [BindProperty(SupportsGet = true)] public int? From { get; set; }
    [BindProperty(SupportsGet = true)] public int? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? OtherLocale { get; set; }
    [BindProperty] public TemplateForm Form { get; set; } = new();
    [BindProperty] public string? ConfirmPassword { get; set; }
    [BindProperty] public string? ConfirmTotp { get; set; }

    public TenantView Tenant { get; private set; } = null!;
    public bool CanEdit { get; private set; }
    public Template? Draft { get; private set; }
    public IReadOnlyList<TemplateInfo> Versions { get; private set; } = [];
    public IReadOnlyList<string> Categories { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? Notice { get; private set; }
    public string? FreshAuthPrompt { get; private set; }
    public RenderedContent? Preview { get; private set; }
    public IReadOnlyList<(string Field, IReadOnlyList<DiffLine> Lines)>? Diff { get; private set; }
    public string? DiffTitle { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        Form = await StartingPointAsync(cancellationToken) is { } start ? TemplateForm.From(start, "{}") : new TemplateForm { SamplePayload = "{}" };
        await DiffAsync(cancellationToken);
        return Page();
    }

    /// <summary>The live preview: renders the form's content with its sample payload (nothing is stored).</summary>
    public async Task<IActionResult> OnPostPreviewAsync(CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        // The schema is checked as Save checks it (TemplateSyntax, NJsonSchema), so its message shows next to the field as you type.
        var schemaProblem = await TemplateSyntax.SchemaErrorAsync(Blank(Form.VariablesSchema));
        var (content, problem) = schemaProblem is null ? await RenderAsync(cancellationToken) : (null, null);
        return new JsonResult(new { content, problem, schemaProblem });
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken cancellationToken) => await WriteAsync(publish: false, cancellationToken);

    public async Task<IActionResult> OnPostPublishAsync(CancellationToken cancellationToken) => await WriteAsync(publish: true, cancellationToken);

    public string? Error(string field) => Errors.Where(e => e.Key == field || e.Key.StartsWith(field + ".", StringComparison.Ordinal) || e.Key.EndsWith("." + field, StringComparison.Ordinal))
        .SelectMany(e => e.Value).DefaultIfEmpty().Aggregate((a, b) => a + " " + b);

    private async Task<IActionResult> WriteAsync(bool publish, CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!CanEdit)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        var key = new TemplateKey(Tenant.Id, Name, Channel, Locale);
        var actor = ConsoleOperator.From(User).Actor;
        var saved = await templates.SaveDraftAsync(key, new TemplateDraftInput(Form.Category, Form.Content(), Blank(Form.VariablesSchema), null), actor, cancellationToken);
        if (saved.Problem is { } problem)
        {
            Errors = problem.Errors?.ToDictionary(e => e.Key, e => e.Value) ?? new() { [problem.Field ?? "content"] = [problem.Detail] };
            return Page();
        }

        Notice = "The draft was saved.";
        if (publish)
        {
            if ((FreshAuthPrompt = await freshAuth.ConfirmAsync(HttpContext, ConfirmPassword, ConfirmTotp, cancellationToken)) is not null)
            {
                return Page();
            }

            var published = await templates.PublishAsync(key, actor, cancellationToken);
            Notice = published.Problem?.Detail ?? (published.Value!.Published
                ? $"Version {published.Value.Template.Version} is published."
                : $"The draft waits for approval by someone else: {published.Value.ApprovalReason}");
        }

        await LoadAsync(cancellationToken);
        (Preview, _) = await RenderAsync(cancellationToken);
        return Page();
    }

    private async Task<(RenderedContent? Content, string? Problem)> RenderAsync(CancellationToken cancellationToken)
    {
        JsonElement payload;
        try
        {
            payload = JsonDocument.Parse(string.IsNullOrWhiteSpace(Form.SamplePayload) ? "{}" : Form.SamplePayload).RootElement.Clone();
        }
        catch (JsonException)
        {
            return (null, "The sample payload is not valid JSON.");
        }

        var snapshot = await catalog.GetAsync(Tenant.Id, cancellationToken);
        var template = new Template
        {
            TenantId = Tenant.Id, Name = Name, Channel = Channel, Locale = Locale, Category = Form.Category, Content = Form.Content(),
            VariablesSchema = Blank(Form.VariablesSchema),
        };
        var critical = Form.Category is { } category && snapshot?.Category(category)?.Critical == true;
        var result = await previewer.PreviewAsync(template, null, payload, snapshot?.Links ?? LinkPolicy.Default, critical);
        return result.Problem is { } problem ? (null, problem.Detail) : (result.Value!.Content, null);
    }

    private async Task DiffAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        Template? left = null, right = null;
        if (OtherLocale is { Length: > 0 } other)
        {
            left = await StartingPointAsync(cancellationToken);
            right = await db.Templates.AsNoTracking().Where(t => t.TenantId == Tenant.Id && t.Name == Name && t.Channel == Channel && t.Locale == other)
                .OrderBy(t => t.Version == null).ThenByDescending(t => t.Version).FirstOrDefaultAsync(cancellationToken);
            DiffTitle = $"{Locale} → {other}";
        }
        else if (From is { } from && To is { } to)
        {
            // A negative version is "nothing yet": a first draft compared with nothing shows every line as added.
            left = from < 0
                ? new Template { TenantId = Tenant.Id, Name = Name, Channel = Channel, Locale = Locale, Content = new TemplateContent() }
                : await TemplateQueries.FindAsync(db, new TemplateKey(Tenant.Id, Name, Channel, Locale), from == 0 ? null : from, cancellationToken);
            right = await TemplateQueries.FindAsync(db, new TemplateKey(Tenant.Id, Name, Channel, Locale), to == 0 ? null : to, cancellationToken);
            DiffTitle = $"{(from < 0 ? "nothing" : from == 0 ? "the draft" : $"version {from}")} → {(to == 0 ? "the draft" : $"version {to}")}";
        }

        if (left is null || right is null)
        {
            return;
        }

        Diff = new (string, Func<TemplateContent, string?>)[]
            {
                ("subject", c => c.Subject), ("title", c => c.Title), ("text", c => c.Text), ("body", c => c.Body), ("html", c => c.Html), ("json", c => c.Json),
            }
            .Where(f => f.Item2(left.Content) is not null || f.Item2(right.Content) is not null)
            .Select(f => (f.Item1, LineDiff.Compare(f.Item2(left.Content), f.Item2(right.Content))))
            .ToList();
    }

    /// <summary>The draft when there is one, else the newest published version (the next draft starts from it).</summary>
    private async Task<Template?> StartingPointAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Templates.AsNoTracking().Where(t => t.TenantId == Tenant.Id && t.Name == Name && t.Channel == Channel && t.Locale == Locale)
            .OrderBy(t => t.Version == null ? 0 : 1).ThenByDescending(t => t.Version).FirstOrDefaultAsync(cancellationToken);
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken cancellationToken)
    {
        var op = ConsoleOperator.From(User);
        if (!op.CanSee(Id) || await tenants.GetAsync(Id, cancellationToken) is not { } tenant || !Comms.Core.Messages.Channel.All.Contains(Channel))
        {
            return NotFound();
        }

        Tenant = tenant;
        CanEdit = op.CanManage(Id);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        Versions = await TemplateQueries.InfosAsync(db, Id, Name, cancellationToken) is var all ? all.Where(v => v.Channel == Channel && v.Locale == Locale).ToList() : [];
        Draft = await TemplateQueries.FindAsync(db, new TemplateKey(Id, Name, Channel, Locale), null, cancellationToken);
        Categories = (await catalog.GetAsync(Id, cancellationToken))?.Categories.Keys.Order(StringComparer.Ordinal).ToList() ?? [];
        return null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
