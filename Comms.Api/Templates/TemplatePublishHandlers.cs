using Comms.Core.Templates;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.Templates;

/// <summary>Publish, and the second-approver flow of critical templates.</summary>
public static class TemplatePublishHandlers
{
    public static async Task<Results<Created<PublishResult>, Accepted<PublishResult>, ValidationProblem, ProblemHttpResult>> Publish(
        string name, string channel, string locale, HttpContext http, [FromServices] TemplateService templates,
        CancellationToken cancellationToken)
    {
        if (TemplateHttp.Key(http, name, channel, locale, out var invalid) is not { } key)
        {
            return invalid!;
        }

        var result = await templates.PublishAsync(key, TemplateHttp.Actor(http.User), cancellationToken);
        if (result.Value is not { } outcome)
        {
            return TemplateHttp.Problem(result.Problem!);
        }

        var body = ResultOf(outcome);
        return outcome.Published
            ? TypedResults.Created(TemplateHttp.PathOf(outcome.Template), body)
            : TypedResults.Accepted(TemplateHttp.PathOf(outcome.Template), body);
    }

    public static async Task<Results<Created<PublishResult>, ValidationProblem, ProblemHttpResult>> Approve(
        string name, string channel, string locale, HttpContext http, [FromServices] TemplateService templates,
        CancellationToken cancellationToken)
    {
        if (TemplateHttp.Key(http, name, channel, locale, out var invalid) is not { } key)
        {
            return invalid!;
        }

        var result = await templates.ApproveAsync(key, TemplateHttp.Actor(http.User), cancellationToken);
        return result.Value is { } version
            ? TypedResults.Created(TemplateHttp.PathOf(version), ResultOf(new PublishOutcome(version, Published: true, ApprovalReason: null)))
            : TemplateHttp.Problem(result.Problem!);
    }

    public static async Task<Results<Ok<TemplateView>, ValidationProblem, ProblemHttpResult>> Reject(
        string name, string channel, string locale, HttpContext http, [FromServices] TemplateService templates,
        CancellationToken cancellationToken)
    {
        if (TemplateHttp.Key(http, name, channel, locale, out var invalid) is not { } key)
        {
            return invalid!;
        }

        var result = await templates.RejectAsync(key, cancellationToken);
        return result.Value is { } draft ? TypedResults.Ok(TemplateView.From(draft)) : TemplateHttp.Problem(result.Problem!);
    }

    /// <summary>The answer to a publish, whether it went through (also by approval) or waits for approval.</summary>
    private static PublishResult ResultOf(PublishOutcome outcome) =>
        new(outcome.Published, outcome.Template.Version, outcome.ApprovalReason, TemplateView.From(outcome.Template));
}
