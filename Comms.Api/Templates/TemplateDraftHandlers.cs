using Comms.Api.Auth;
using Comms.Core.Data;
using Comms.Core.Templates;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.Templates;

/// <summary>Reads of templates and the draft's create, replace and delete.</summary>
public static class TemplateDraftHandlers
{
    public static async Task<Ok<TemplateList>> ListTemplates(HttpContext http, CommsDbContext db, CancellationToken cancellationToken)
    {
        var rows = await TemplateQueries.InfosAsync(db, http.User.TenantId(), name: null, cancellationToken);
        var items = rows
            .GroupBy(r => r.Name, StringComparer.Ordinal)
            .Select(byName => new TemplateSummary(byName.Key, byName
                .GroupBy(r => (r.Channel, r.Locale))
                .Select(entry =>
                {
                    var draft = entry.FirstOrDefault(r => r.Version is null);
                    var latest = entry.Where(r => r.Version is not null).MaxBy(r => r.Version);
                    return new TemplateEntrySummary(entry.Key.Channel, entry.Key.Locale, latest?.Version,
                        draft?.Category ?? latest?.Category, draft?.Status, entry.Max(r => r.UpdatedAt));
                })
                .ToList()))
            .ToList();
        return TypedResults.Ok(new TemplateList(items));
    }

    public static async Task<Results<Ok<TemplateDetails>, ProblemHttpResult>> GetTemplate(
        string name, HttpContext http, CommsDbContext db, CancellationToken cancellationToken)
    {
        var tenantId = http.User.TenantId();
        var rows = await TemplateQueries.InfosAsync(db, tenantId, name, cancellationToken);
        if (rows.Count == 0)
        {
            return TemplateHttp.Problem(TemplateProblems.NoTemplate(name));
        }

        var drafts = await TemplateQueries.DraftsAsync(db, tenantId, name, cancellationToken);
        var entries = rows
            .GroupBy(r => (r.Channel, r.Locale))
            .Select(entry => new TemplateEntry(
                entry.Key.Channel,
                entry.Key.Locale,
                drafts.FirstOrDefault(d => d.Channel == entry.Key.Channel && d.Locale == entry.Key.Locale) is { } draft
                    ? TemplateView.From(draft)
                    : null,
                entry.Where(r => r.Version is not null)
                    .Select(r => new TemplateVersionSummary(r.Version!.Value, r.Category, r.CreatedBy, r.SubmittedBy, r.ApprovedBy, r.PublishedAt))
                    .ToList()))
            .ToList();
        return TypedResults.Ok(new TemplateDetails(name, entries));
    }

    public static async Task<Results<Ok<TemplateView>, ValidationProblem, ProblemHttpResult>> GetDraft(
        string name, string channel, string locale, HttpContext http, CommsDbContext db, CancellationToken cancellationToken)
    {
        if (TemplateHttp.Key(http, name, channel, locale, out var invalid) is not { } key)
        {
            return invalid!;
        }

        var draft = await TemplateQueries.FindAsync(db, key, version: null, cancellationToken);
        return draft is null ? TemplateHttp.Problem(TemplateProblems.NoDraft(key)) : TypedResults.Ok(TemplateView.From(draft));
    }

    public static async Task<Results<Ok<TemplateView>, ValidationProblem, ProblemHttpResult>> GetVersion(
        string name, string channel, string locale, int version, HttpContext http, CommsDbContext db, CancellationToken cancellationToken)
    {
        if (TemplateHttp.Key(http, name, channel, locale, out var invalid) is not { } key)
        {
            return invalid!;
        }

        var template = await TemplateQueries.FindAsync(db, key, version, cancellationToken);
        return template is null
            ? TemplateHttp.Problem(TemplateProblems.NoVersion(key, version))
            : TypedResults.Ok(TemplateView.From(template));
    }

    public static async Task<Results<Created<TemplateView>, Ok<TemplateView>, ValidationProblem, ProblemHttpResult>> PutDraft(
        string name, string channel, string locale, [FromBody] TemplateDraftRequest? request, HttpContext http,
        [FromServices] TemplateService templates, CancellationToken cancellationToken)
    {
        if (TemplateHttp.Key(http, name, channel, locale, out var invalid) is not { } key)
        {
            return invalid!;
        }

        var result = await templates.SaveDraftAsync(key, request?.ToInput(), TemplateHttp.Actor(http.User), cancellationToken);
        if (result.Value is not { } saved)
        {
            return TemplateHttp.Problem(result.Problem!);
        }

        var view = TemplateView.From(saved.Draft);
        return saved.Created ? TypedResults.Created(TemplateHttp.PathOf(saved.Draft), view) : TypedResults.Ok(view);
    }

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteDraft(
        string name, string channel, string locale, HttpContext http, [FromServices] TemplateService templates,
        CancellationToken cancellationToken)
    {
        if (TemplateHttp.Key(http, name, channel, locale, out var invalid) is not { } key)
        {
            return invalid!;
        }

        var problem = await templates.DeleteDraftAsync(key, cancellationToken);
        return problem is null ? TypedResults.NoContent() : TemplateHttp.Problem(problem);
    }

    /// <summary>Published versions never change: 409 when the version exists, 404 when it does not.</summary>
    public static async Task<Results<ValidationProblem, ProblemHttpResult>> RefuseVersionChange(
        string name, string channel, string locale, int version, HttpContext http, CommsDbContext db, CancellationToken cancellationToken)
    {
        if (TemplateHttp.Key(http, name, channel, locale, out var invalid) is not { } key)
        {
            return invalid!;
        }

        var template = await TemplateQueries.FindAsync(db, key, version, cancellationToken);
        return TemplateHttp.Problem(template is null ? TemplateProblems.NoVersion(key, version) : TemplateProblems.Immutable(key, version));
    }
}
