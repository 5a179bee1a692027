using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Templates;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Comms.Api.Templates;

/// <summary>
/// <c>/v1/templates</c> (SPEC S3). A template is (name, channel, locale, version): each (name, channel,
/// locale) has at most one editable draft and any number of immutable published versions 1, 2, 3…
/// Reads and previews take any API key of the tenant; writes need the <c>editor</c> (or <c>admin</c>)
/// role; approving or rejecting a critical publish needs the <c>approver</c> role and another key than
/// the one that submitted it.
/// </summary>
public static class TemplatesApi
{
    private const string Entry = "/{name}/{channel}/{locale}";
    private const string Version = Entry + "/versions/{version:int}";

    /// <summary>The services the templates endpoints use (idempotent; call once from the API's service setup).</summary>
    public static IServiceCollection AddTemplateServices(this IServiceCollection services)
    {
        services.TryAddSingleton<LiquidRenderer>();
        services.TryAddSingleton<ContentRenderer>();
        services.TryAddSingleton<TemplatePreviewer>();
        services.TryAddSingleton<TemplateService>();
        return services;
    }

    public static RouteGroupBuilder MapTemplatesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/templates").WithTags("Templates").RequireAuthorization(AuthExtensions.ServicePolicy);

        group.MapGet("/", TemplateDraftHandlers.ListTemplates)
            .WithSummary("List templates")
            .WithDescription("Every template name of the tenant with, per channel and locale, its latest published version and the state of its draft.");
        group.MapGet("/{name}", TemplateDraftHandlers.GetTemplate)
            .WithSummary("Get a template with its drafts and versions")
            .WithDescription("Per channel and locale: the draft with its content, and the list of published versions.")
            .ProducesProblems(StatusCodes.Status404NotFound, TemplateCodes.NotFound);

        group.MapGet(Entry + "/draft", TemplateDraftHandlers.GetDraft)
            .WithSummary("Get the draft of a template")
            .ProducesProblems(StatusCodes.Status404NotFound, TemplateCodes.NotFound);
        group.MapPut(Entry + "/draft", TemplateDraftHandlers.PutDraft)
            .RequireAuthorization(AuthExtensions.EditorPolicy)
            .WithSummary("Create or replace the draft of a template")
            .WithDescription("Validated at save time: Liquid syntax of every content field (422 COMMS_TEMPLATE_INVALID naming the field), the variables schema (422), the category, the channel's required fields and the variants (400 COMMS_VALIDATION). Editing a draft that awaits approval sends it back to draft. 201 when created, 200 when replaced.")
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, TemplateCodes.Invalid, TemplateCodes.UnknownCategory);
        group.MapDelete(Entry + "/draft", TemplateDraftHandlers.DeleteDraft)
            .RequireAuthorization(AuthExtensions.EditorPolicy)
            .WithSummary("Delete the draft of a template")
            .WithDescription("Published versions stay.")
            .ProducesProblems(StatusCodes.Status404NotFound, TemplateCodes.NotFound);
        group.MapPost(Entry + "/draft/preview", TemplatePreviewHandlers.PreviewDraft)
            .WithSummary("Preview the draft with a sample payload")
            .WithDescription("Checks the payload against the draft's variables schema (422 COMMS_TEMPLATE_MISSING_VAR naming the variable) and renders it; 'variant' renders an experiment arm.")
            .ProducesPreviewProblems();

        group.MapPost(Entry + "/publish", TemplatePublishHandlers.Publish)
            .RequireAuthorization(AuthExtensions.EditorPolicy)
            .WithSummary("Publish the draft as the next version")
            .WithDescription("201 with the new immutable version. When the template is critical (its category, or the category of a rule that sends it, is critical) the draft instead waits for approval: 202 with status pending_approval.")
            .ProducesProblems(StatusCodes.Status404NotFound, TemplateCodes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, TemplateCodes.Pending, TemplateCodes.Conflict);
        group.MapPost(Entry + "/approve", TemplatePublishHandlers.Approve)
            .RequireAuthorization(AuthExtensions.ApproverPolicy)
            .WithSummary("Approve a pending publish")
            .WithDescription("Needs the approver role and another key than the one that submitted the draft (403 COMMS_APPROVAL_SELF). Publishes the draft as the next version.")
            .ProducesProblems(StatusCodes.Status403Forbidden, TemplateCodes.SelfApproval)
            .ProducesProblems(StatusCodes.Status404NotFound, TemplateCodes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, TemplateCodes.NotPending, TemplateCodes.Conflict);
        group.MapPost(Entry + "/reject", TemplatePublishHandlers.Reject)
            .RequireAuthorization(AuthExtensions.ApproverPolicy)
            .WithSummary("Reject a pending publish")
            .WithDescription("The draft goes back to draft status, unpublished.")
            .ProducesProblems(StatusCodes.Status404NotFound, TemplateCodes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, TemplateCodes.NotPending);

        group.MapGet(Version, TemplateDraftHandlers.GetVersion)
            .WithSummary("Get a published version of a template")
            .ProducesProblems(StatusCodes.Status404NotFound, TemplateCodes.NotFound);
        group.MapPost(Version + "/preview", TemplatePreviewHandlers.PreviewVersion)
            .WithSummary("Preview a published version with a sample payload")
            .ProducesPreviewProblems();
        group.MapMethods(Version, [HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete], TemplateDraftHandlers.RefuseVersionChange)
            .RequireAuthorization(AuthExtensions.EditorPolicy)
            .WithSummary("Published versions are immutable (always 409)")
            .WithDescription("Any attempt to change or delete a published version answers 409 COMMS_TEMPLATE_IMMUTABLE; edit the draft and publish a new version.")
            .ProducesProblems(StatusCodes.Status404NotFound, TemplateCodes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, TemplateCodes.Immutable);

        return group;
    }

    /// <summary>A preview: the template (draft or version) does not exist (404), or the sample payload does not render (422).</summary>
    private static RouteHandlerBuilder ProducesPreviewProblems(this RouteHandlerBuilder endpoint) =>
        endpoint
            .ProducesProblems(StatusCodes.Status404NotFound, TemplateCodes.NotFound)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, TemplateCodes.MissingVariable, TemplateCodes.PayloadInvalid,
                TemplateCodes.RenderInvalid, TemplateCodes.RenderFailed);
}
