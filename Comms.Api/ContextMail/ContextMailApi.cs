using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.ContextMail;
using Comms.Core.Contexts;
using Comms.Core.Inbox;
using Comms.Realtime;
using Comms.ServiceDefaults.Cors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Comms.Api.ContextMail;

/// <summary>
/// Durable in-context mail (SPEC S8). End users (their user token) send, list, read, mark read and delete mail in the
/// contexts they belong to, and see an unread badge per context, pushed live; an operator (an editor key) sends admin
/// mail. Bodies are plain text, stored and answered as given: nothing interprets them as HTML.
/// </summary>
public static class ContextMailApi
{
    public static RouteGroupBuilder MapMeContextMailApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/me/contexts").WithTags("Me: context mail").RequireAuthorization(AuthExtensions.EndUserPolicy)
            .RequireCors(WidgetCors.Policy);
        me.MapGet("/unread", Unread).WithSummary("Unread mail per context (the badges)")
            .WithDescription("Every context where the signed-in user has unread mail they may read, and the total. Each new mail, read and delete "
                + "also pushes contextUnreadChanged { contextKey, unread, asOf } on the notifications hub.");
        me.MapPost("/{key}/mail", Send).WithSummary("Send mail in a context")
            .WithDescription("{ to, subject, body } is personal mail from an active member to an active member. The owner may send admin mail: to one "
                + "member of any status with kind 'admin', or a broadcast with scope active | active_and_removed | all_members (the sender "
                + "excluded). Subject and body are plain text, at most 256 and 4,096 UTF-8 bytes (configurable); the language is detected.")
            .ProducesProblems(StatusCodes.Status403Forbidden, ContextMailCodes.NotAllowed)
            .ProducesProblems(StatusCodes.Status404NotFound, ContextService.ContextNotFound, ContextService.MemberNotFound);
        me.MapGet("/{key}/mail", List).WithSummary("The signed-in user's mail in a context, newest first")
            .WithDescription("Pages: pass nextCursor as before. A member who is no longer active sees the admin and system mail addressed to them, "
                + "not personal mail.")
            .ProducesProblems(StatusCodes.Status404NotFound, ContextService.ContextNotFound);
        me.MapGet("/{key}/mail/{id:guid}", Get).WithSummary("One mail, optionally translated (?lang=de)")
            .WithDescription("With lang, translation is { language, status, subject, body, provider }: status translated (cached per mail and "
                + "language, shared by every recipient), original_language, not_configured (no provider: the original is the answer) or "
                + "unavailable (the provider failed; asking again retries).")
            .ProducesProblems(StatusCodes.Status403Forbidden, ContextMailCodes.NotAllowed)
            .ProducesProblems(StatusCodes.Status404NotFound, ContextService.ContextNotFound, ProblemTypes.NotFound);
        me.MapPost("/{key}/mail/{id:guid}/read", Read).WithSummary("Mark a mail read (idempotent)")
            .ProducesProblems(StatusCodes.Status403Forbidden, ContextMailCodes.NotAllowed)
            .ProducesProblems(StatusCodes.Status404NotFound, ContextService.ContextNotFound, ProblemTypes.NotFound);
        me.MapDelete("/{key}/mail/{id:guid}", Delete).WithSummary("Delete a read mail (for the signed-in user only)")
            .WithDescription("Only a mail that was read can be deleted (409 COMMS_MAIL_NOT_READ otherwise). Answers the context's unread count.")
            .ProducesProblems(StatusCodes.Status403Forbidden, ContextMailCodes.NotAllowed)
            .ProducesProblems(StatusCodes.Status404NotFound, ContextService.ContextNotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ContextMailCodes.NotRead);
        return me;
    }

    /// <summary>The operator's admin mail (a tenant API key with the editor role).</summary>
    public static RouteHandlerBuilder MapContextMailServiceApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/v1/contexts/{key}/mail", SendAsOperator).WithTags("Contexts").RequireAuthorization(AuthExtensions.EditorPolicy)
            .WithSummary("Send admin mail in a context as the operator")
            .WithDescription("{ to, subject, body } to one member of any status, or { scope, subject, body } to active | active_and_removed | "
                + "all_members. Same limits as the members' mail.")
            .ProducesProblems(StatusCodes.Status404NotFound, ContextService.ContextNotFound, ContextService.MemberNotFound);

    public static async Task<Ok<ContextUnreadCounts>> Unread(HttpContext http, [FromServices] ContextMailbox mailbox, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mailbox.UnreadAsync(http.User.TenantId(), http.User.ExternalId(), cancellationToken));

    public static Task<Results<Created<MailSentView>, ValidationProblem, ProblemHttpResult>> Send(
        string key, [FromBody] MailRequest? request, HttpContext http, [FromServices] LiveContextMail mail, CancellationToken cancellationToken) =>
        SendAsync(key, request, MailSender.User(http.User.ExternalId()), http, mail, cancellationToken);

    public static Task<Results<Created<MailSentView>, ValidationProblem, ProblemHttpResult>> SendAsOperator(
        string key, [FromBody] MailRequest? request, HttpContext http, [FromServices] LiveContextMail mail, CancellationToken cancellationToken) =>
        SendAsync(key, request, MailSender.Operator, http, mail, cancellationToken);

    private static async Task<Results<Created<MailSentView>, ValidationProblem, ProblemHttpResult>> SendAsync(
        string key, MailRequest? request, MailSender sender, HttpContext http, LiveContextMail mail, CancellationToken cancellationToken)
    {
        if (!ContextValidator.IsKey(key))
        {
            return KeyProblem();
        }

        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The request body must be a JSON object: { \"to\", \"subject\", \"body\" }."] },
                type: ProblemTypes.Validation);
        }

        var sent = await mail.SendAsync(http.User.TenantId(), key, sender, request, cancellationToken);
        if (sent.Errors is { } errors)
        {
            return TypedResults.ValidationProblem(errors, title: "The mail is invalid; nothing was sent.", type: ProblemTypes.Validation);
        }

        if (sent.Problem is { } problem)
        {
            return Problem(problem);
        }

        return TypedResults.Created($"/me/contexts/{Uri.EscapeDataString(key)}/mail/{sent.Mail!.Id}", MailSentView.From(sent));
    }

    public static async Task<Results<Ok<MailPage>, ValidationProblem, ProblemHttpResult>> List(
        string key, string? before, int? limit, HttpContext http, [FromServices] ContextMailbox mailbox, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        InboxPosition? position = null;
        if (before is not null)
        {
            position = InboxCursor.TryDecode(before, out InboxPosition at) ? at : null;
            if (position is null)
            {
                errors["before"] = ["before must be a nextCursor returned by this endpoint."];
            }
        }

        if (limit is < 1 or > ContextMailbox.MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {ContextMailbox.MaxPageSize}."];
        }

        if (!ContextValidator.IsKey(key))
        {
            errors["key"] = [ContextValidator.KeyRule];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, type: ProblemTypes.Validation);
        }

        var page = await mailbox.ListAsync(http.User.TenantId(), http.User.ExternalId(), key, position, limit ?? 20, cancellationToken);
        return page.Value is { } value ? TypedResults.Ok(value) : Problem(page.Problem!);
    }

    public static async Task<Results<Ok<MailView>, ValidationProblem, ProblemHttpResult>> Get(
        string key, Guid id, string? lang, HttpContext http, [FromServices] ContextMailbox mailbox, CancellationToken cancellationToken)
    {
        if (lang is not null && !MailTranslations.IsLanguageTag(lang))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["lang"] = ["lang must be a BCP 47 language tag such as 'de' or 'pt-BR'."] },
                type: ProblemTypes.Validation);
        }

        if (!ContextValidator.IsKey(key))
        {
            return KeyProblem();
        }

        var mail = await mailbox.GetAsync(http.User.TenantId(), http.User.ExternalId(), key, id, lang, cancellationToken);
        return mail.Value is { } value ? TypedResults.Ok(value) : Problem(mail.Problem!);
    }

    public static async Task<Results<Ok<MailRead>, ValidationProblem, ProblemHttpResult>> Read(
        string key, Guid id, HttpContext http, [FromServices] LiveContextMail mail, CancellationToken cancellationToken)
    {
        if (!ContextValidator.IsKey(key))
        {
            return KeyProblem();
        }

        var read = await mail.MarkReadAsync(http.User.TenantId(), http.User.ExternalId(), key, id, cancellationToken);
        return read.Value is { } value ? TypedResults.Ok(value) : Problem(read.Problem!);
    }

    public static async Task<Results<Ok<ContextUnread>, ValidationProblem, ProblemHttpResult>> Delete(
        string key, Guid id, HttpContext http, [FromServices] LiveContextMail mail, CancellationToken cancellationToken)
    {
        if (!ContextValidator.IsKey(key))
        {
            return KeyProblem();
        }

        var deleted = await mail.DeleteAsync(http.User.TenantId(), http.User.ExternalId(), key, id, cancellationToken);
        return deleted.Value is { } value ? TypedResults.Ok(value) : Problem(deleted.Problem!);
    }

    private static ValidationProblem KeyProblem() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["key"] = [ContextValidator.KeyRule] }, type: ProblemTypes.Validation);

    private static ProblemHttpResult Problem(MailProblem problem) =>
        TypedResults.Problem(statusCode: problem.Status, type: problem.Code, title: problem.Title, detail: problem.Detail);
}
