using System.Security.Claims;
using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Banners;
using Comms.Realtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Comms.Api.Banners;

/// <summary>
/// Operators manage platform banners (issue 12): templates (the content) and activations (when, and for which tenants and
/// roles). Every write is audited; a change to what users see is pushed live as <c>bannersChanged</c> at once, and
/// scheduled starts and ends by <see cref="BannerScheduler"/> at their moment.
/// </summary>
public static class SysBannersApi
{
    public static void MapSysBannersApi(this IEndpointRouteBuilder app)
    {
        var templates = app.MapGroup("/sys/banner-templates").WithTags("Sys: banners").RequireAuthorization(AuthExtensions.SysPolicy);
        templates.MapPost("/", CreateTemplate).WithSummary("Create a banner template")
            .WithDescription("kind: maintenance, incident or feature; title; body (Markdown); link (optional https URL); severity: info (default), warning or critical; dismissible (default true).");
        templates.MapGet("/", ListTemplates).WithSummary("List banner templates");
        templates.MapGet("/{templateId:guid}", GetTemplate).WithSummary("Get a banner template")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        templates.MapPut("/{templateId:guid}", UpdateTemplate).WithSummary("Replace a banner template (its active banners change live)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        templates.MapDelete("/{templateId:guid}", DeleteTemplate).WithSummary("Delete a banner template and its activations")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);

        var activations = app.MapGroup("/sys/banner-activations").WithTags("Sys: banners").RequireAuthorization(AuthExtensions.SysPolicy);
        activations.MapPost("/", CreateActivation).WithSummary("Activate a banner template for a time window and an audience")
            .WithDescription("templateId; startsAt; endsAt (optional, after startsAt); tenants and roles (optional: empty means everyone). Users see it from startsAt until endsAt.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        activations.MapGet("/", ListActivations).WithSummary("List banner activations");
        activations.MapGet("/{activationId:guid}", GetActivation).WithSummary("Get a banner activation")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        activations.MapPut("/{activationId:guid}", UpdateActivation).WithSummary("Replace a banner activation")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        activations.MapDelete("/{activationId:guid}", DeleteActivation).WithSummary("Delete a banner activation (it disappears at once)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
    }

    /// <summary>The audit actor: <c>operator:{id}</c> for an operator token, <c>sys</c> for the platform key.</summary>
    public static string SysActor(this ClaimsPrincipal user) =>
        user.FindFirst(JwtRegisteredClaimNames.Sub)?.Value is { } id ? "operator:" + id : "sys";

    public static async Task<Results<Created<BannerTemplateView>, ValidationProblem>> CreateTemplate(
        BannerTemplateRequest? request, BannerService banners, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = BannerValidation.Template(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The banner template is invalid.", type: ProblemTypes.Validation);
        }

        var created = await banners.CreateTemplateAsync(request!, http.User.SysActor(), cancellationToken);
        return TypedResults.Created($"/sys/banner-templates/{created.Id}", created);
    }

    public static async Task<Ok<IReadOnlyList<BannerTemplateView>>> ListTemplates(BannerService banners, CancellationToken cancellationToken) =>
        TypedResults.Ok(await banners.ListTemplatesAsync(cancellationToken));

    public static async Task<Results<Ok<BannerTemplateView>, ProblemHttpResult>> GetTemplate(Guid templateId, BannerService banners, CancellationToken cancellationToken) =>
        await banners.GetTemplateAsync(templateId, cancellationToken) is { } template ? TypedResults.Ok(template) : NotFound("banner template", templateId);

    public static async Task<Results<Ok<BannerTemplateView>, ValidationProblem, ProblemHttpResult>> UpdateTemplate(
        Guid templateId, BannerTemplateRequest? request, BannerService banners, LivePushes pushes, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = BannerValidation.Template(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The banner template is invalid.", type: ProblemTypes.Validation);
        }

        var (template, audience) = await banners.UpdateTemplateAsync(templateId, request!, http.User.SysActor(), cancellationToken);
        if (template is null)
        {
            return NotFound("banner template", templateId);
        }

        if (audience is not null)
        {
            pushes.BannersChanged(audience);
        }

        return TypedResults.Ok(template);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteTemplate(
        Guid templateId, BannerService banners, LivePushes pushes, HttpContext http, CancellationToken cancellationToken)
    {
        var templates = await banners.GetTemplateAsync(templateId, cancellationToken);
        if (templates is null)
        {
            return NotFound("banner template", templateId);
        }

        if (await banners.DeleteTemplateAsync(templateId, http.User.SysActor(), cancellationToken) is { } audience)
        {
            pushes.BannersChanged(audience);
        }

        return TypedResults.NoContent();
    }

    public static async Task<Results<Created<BannerActivationView>, ValidationProblem, ProblemHttpResult>> CreateActivation(
        BannerActivationRequest? request, BannerService banners, LivePushes pushes, BannerScheduler scheduler, HttpContext http,
        CancellationToken cancellationToken)
    {
        var checkedRequest = await CheckAsync(request, banners, cancellationToken);
        if (checkedRequest is not null)
        {
            return checkedRequest.Value.Validation is { } invalid ? invalid : checkedRequest.Value.Problem!;
        }

        var (view, audience) = await banners.CreateActivationAsync(request!, http.User.SysActor(), cancellationToken);
        pushes.BannersChanged(audience);
        scheduler.Wake();
        return TypedResults.Created($"/sys/banner-activations/{view.Id}", view);
    }

    public static async Task<Ok<IReadOnlyList<BannerActivationView>>> ListActivations(BannerService banners, CancellationToken cancellationToken) =>
        TypedResults.Ok(await banners.ListActivationsAsync(cancellationToken));

    public static async Task<Results<Ok<BannerActivationView>, ProblemHttpResult>> GetActivation(Guid activationId, BannerService banners, CancellationToken cancellationToken) =>
        await banners.GetActivationAsync(activationId, cancellationToken) is { } activation ? TypedResults.Ok(activation) : NotFound("banner activation", activationId);

    public static async Task<Results<Ok<BannerActivationView>, ValidationProblem, ProblemHttpResult>> UpdateActivation(
        Guid activationId, BannerActivationRequest? request, BannerService banners, LivePushes pushes, BannerScheduler scheduler, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (await banners.GetActivationAsync(activationId, cancellationToken) is null)
        {
            return NotFound("banner activation", activationId);
        }

        var checkedRequest = await CheckAsync(request, banners, cancellationToken);
        if (checkedRequest is not null)
        {
            return checkedRequest.Value.Validation is { } invalid ? invalid : checkedRequest.Value.Problem!;
        }

        var (view, audience) = await banners.UpdateActivationAsync(activationId, request!, http.User.SysActor(), cancellationToken);
        if (view is null)
        {
            return NotFound("banner activation", activationId);
        }

        pushes.BannersChanged(audience!);
        scheduler.Wake();
        return TypedResults.Ok(view);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteActivation(
        Guid activationId, BannerService banners, LivePushes pushes, HttpContext http, CancellationToken cancellationToken)
    {
        if (await banners.DeleteActivationAsync(activationId, http.User.SysActor(), cancellationToken) is not { } audience)
        {
            return NotFound("banner activation", activationId);
        }

        pushes.BannersChanged(audience);
        return TypedResults.NoContent();
    }

    private static async Task<(ValidationProblem? Validation, ProblemHttpResult? Problem)?> CheckAsync(
        BannerActivationRequest? request, BannerService banners, CancellationToken cancellationToken)
    {
        var errors = BannerValidation.Activation(request);
        if (errors.Count > 0)
        {
            return (TypedResults.ValidationProblem(errors, title: "The banner activation is invalid.", type: ProblemTypes.Validation), null);
        }

        var (templateExists, unknownTenants) = await banners.CheckReferencesAsync(request!, cancellationToken);
        if (unknownTenants.Count > 0)
        {
            return (TypedResults.ValidationProblem(unknownTenants, title: "The banner activation is invalid.", type: ProblemTypes.Validation), null);
        }

        return templateExists ? null : (null, NotFound("banner template", request!.TemplateId!.Value));
    }

    private static ProblemHttpResult NotFound(string what, Guid id) =>
        TypedResults.Problem(statusCode: 404, type: ProblemTypes.NotFound, title: $"{char.ToUpperInvariant(what[0])}{what[1..]} not found.",
            detail: $"No {what} '{id}' exists.");
}
