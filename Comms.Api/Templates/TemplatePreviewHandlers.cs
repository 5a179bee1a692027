using Comms.Core.Data;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.Templates;

/// <summary>Renders the draft or any published version with a sample payload, as the router would.</summary>
public static class TemplatePreviewHandlers
{
    public static Task<Results<Ok<TemplatePreviewResponse>, ValidationProblem, ProblemHttpResult>> PreviewDraft(
        string name, string channel, string locale, [FromBody] TemplatePreviewRequest? request, HttpContext http,
        CommsDbContext db, [FromServices] TemplatePreviewer previewer, TenantCatalog catalog, CancellationToken cancellationToken) =>
        PreviewAsync(name, channel, locale, version: null, request, http, db, previewer, catalog, cancellationToken);

    public static Task<Results<Ok<TemplatePreviewResponse>, ValidationProblem, ProblemHttpResult>> PreviewVersion(
        string name, string channel, string locale, int version, [FromBody] TemplatePreviewRequest? request, HttpContext http,
        CommsDbContext db, [FromServices] TemplatePreviewer previewer, TenantCatalog catalog, CancellationToken cancellationToken) =>
        PreviewAsync(name, channel, locale, version, request, http, db, previewer, catalog, cancellationToken);

    private static async Task<Results<Ok<TemplatePreviewResponse>, ValidationProblem, ProblemHttpResult>> PreviewAsync(
        string name, string channel, string locale, int? version, TemplatePreviewRequest? request, HttpContext http,
        CommsDbContext db, TemplatePreviewer previewer, TenantCatalog catalog, CancellationToken cancellationToken)
    {
        if (TemplateHttp.Key(http, name, channel, locale, out var invalid) is not { } key)
        {
            return invalid!;
        }

        var template = await TemplateQueries.FindAsync(db, key, version, cancellationToken);
        if (template is null)
        {
            return TemplateHttp.Problem(version is { } v ? TemplateProblems.NoVersion(key, v) : TemplateProblems.NoDraft(key));
        }

        var tenant = await catalog.GetAsync(key.TenantId, cancellationToken);
        var critical = template.Category is { } category && tenant?.Category(category)?.Critical == true;
        var result = await previewer.PreviewAsync(template, request?.Variant, request?.Payload, tenant?.Links ?? LinkPolicy.Default, critical);
        if (result.Value is not { } preview)
        {
            return TemplateHttp.Problem(result.Problem!);
        }

        return TypedResults.Ok(new TemplatePreviewResponse(template.Name, template.Channel, template.Locale, template.Version,
            preview.Variant, preview.Content, preview.Warnings));
    }
}
