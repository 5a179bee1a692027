using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Api.Input;
using Comms.Core.Events;
using Comms.Core.Messages;
using Comms.Core.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Comms.Api.Events;

[Comms.ServiceDefaults.HotPath]
public static class EventsApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/events").WithTags("Events").RequireAuthorization(AuthExtensions.ServicePolicy);

        group.MapPost("/", PostEvent)
            .WithSummary("Post an event")
            .WithDescription("Routes an event to its recipients through the tenant's routing rule. Answers 202 with the event id; honours Idempotency-Key for 24 hours.")
            .ProducesIntakeProblems();
        var limits = app.ServiceProvider.GetRequiredService<IOptions<RequestLimitsOptions>>().Value;
        group.MapPost("/bulk", PostBulk)
            .WithBodySizeLimit(limits.MaxBulkRequestBodyBytes)
            .WithSummary("Post up to 1,000 events at once")
            .WithDescription("All or nothing: if any event is invalid, none is stored and the problem names the index.")
            .ProducesIntakeProblems();
        group.MapGet("/{id:guid}", EventDetails.GetEvent)
            .WithSummary("Get an event with its per-recipient, per-channel decisions, a page at a time")
            .WithDescription("Decisions oldest first: 'limit' (default 100, at most 1,000) per page; pass 'nextCursor' back as 'after' for the next page (null when there is none).")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);

        return group;
    }

    /// <summary>What intake refuses: a tenant that no longer exists (403), an event the tenant's configuration refuses or a reused key (422).</summary>
    private static RouteHandlerBuilder ProducesIntakeProblems(this RouteHandlerBuilder endpoint) =>
        endpoint
            .ProducesProblems(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, EventAdmission.UnknownEvent, EventAdmission.UnknownCategory,
                ReasonCodes.TemplateMissingVar, EventAdmission.PayloadInvalid, ProblemTypes.IdempotencyKeyReused);

    public static async Task<Results<Accepted<EventAccepted>, ValidationProblem, ProblemHttpResult>> PostEvent(
        [FromBody] EventSubmission? submission,
        [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey,
        HttpContext http,
        TenantCatalog catalog,
        EventIntake intake,
        IOptions<IntakeOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = EventValidator.Validate(submission, options.Value, now);
        idempotencyKey = PresentedKey(http, idempotencyKey);
        AddKeyErrors(idempotencyKey, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The event is invalid.", type: "COMMS_VALIDATION");
        }

        var snapshot = await catalog.GetAsync(http.User.TenantId(), cancellationToken);
        if (snapshot is null)
        {
            return TypedResults.Problem(statusCode: 403, type: "COMMS_FORBIDDEN", title: "The tenant of this key no longer exists.");
        }

        var (record, problem) = await EventAdmission.AdmitAsync(
            snapshot, submission!, AcceptLanguage(http), Activity.Current?.Id, now);
        if (problem is not null)
        {
            return Unprocessable(problem);
        }

        var (refused, accepted) = await StoreAsync(
            http, intake, [record!], idempotencyKey, submission!, new EventAccepted(record!.Id, EventStatus.Pending), cancellationToken);
        return refused is not null ? refused : TypedResults.Accepted($"/v1/events/{accepted.Id}", accepted);
    }

    public static async Task<Results<Accepted<BulkAccepted>, ValidationProblem, ProblemHttpResult>> PostBulk(
        [FromBody] BulkEventSubmission? bulk,
        [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey,
        HttpContext http,
        TenantCatalog catalog,
        EventIntake intake,
        IOptions<IntakeOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        idempotencyKey = PresentedKey(http, idempotencyKey);
        AddKeyErrors(idempotencyKey, errors);
        if (bulk?.Events is not { Count: > 0 } events)
        {
            errors["events"] = ["Give a non-empty list of events."];
            return TypedResults.ValidationProblem(errors, title: "The bulk request is invalid.", type: "COMMS_VALIDATION");
        }

        if (events.Count > options.Value.MaxBulkEvents)
        {
            errors["events"] = [$"At most {options.Value.MaxBulkEvents} events per bulk request; got {events.Count}."];
        }

        for (var i = 0; i < events.Count && errors.Count < 50; i++)
        {
            foreach (var (field, messages) in EventValidator.Validate(events[i], options.Value, now, $"events[{i}]."))
            {
                errors[field] = messages;
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The bulk request is invalid; nothing was stored.", type: "COMMS_VALIDATION");
        }

        var snapshot = await catalog.GetAsync(http.User.TenantId(), cancellationToken);
        if (snapshot is null)
        {
            return TypedResults.Problem(statusCode: 403, type: "COMMS_FORBIDDEN", title: "The tenant of this key no longer exists.");
        }

        var records = new List<EventRecord>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var (record, problem) = await EventAdmission.AdmitAsync(
                snapshot, events[i], AcceptLanguage(http), Activity.Current?.Id, now, $"events[{i}].");
            if (problem is not null)
            {
                return Unprocessable(problem with { Detail = $"Event {i}: {problem.Detail} Nothing was stored." });
            }

            records.Add(record!);
        }

        var (refused, accepted) = await StoreAsync(
            http, intake, records, idempotencyKey, bulk, new BulkAccepted(records.Select(r => r.Id).ToList(), records.Count), cancellationToken);
        return refused is not null ? refused : TypedResults.Accepted((string?)null, accepted);
    }

    /// <summary>
    /// Stores the events (with the Idempotency-Key record, if any) and answers what the client gets: the new
    /// response, or the first response under a repeated key (only 202s are recorded), or a refused key reuse.
    /// </summary>
    private static async Task<(ProblemHttpResult? Refused, TResponse Response)> StoreAsync<TRequest, TResponse>(
        HttpContext http, EventIntake intake, IReadOnlyList<EventRecord> records, string? idempotencyKey,
        TRequest request, TResponse response, CancellationToken cancellationToken)
    {
        IdempotentRequest? idempotency = idempotencyKey is null
            ? null
            : new IdempotentRequest(idempotencyKey, RequestHash(http.Request.Path, request), StatusCodes.Status202Accepted,
                JsonSerializer.Serialize(response, JsonSerializerOptions.Web));
        switch (await intake.StoreAsync(http.User.TenantId(), records, idempotency, cancellationToken))
        {
            case IntakeOutcome.Replayed replayed:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return (null, JsonSerializer.Deserialize<TResponse>(replayed.ResponseBody, JsonSerializerOptions.Web)!);
            case IntakeOutcome.KeyReused:
                return (TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, type: "COMMS_IDEMPOTENCY_KEY_REUSED",
                    title: "The Idempotency-Key was already used for a different request.",
                    detail: $"Key '{idempotencyKey}' was first used within the last 24 hours with another body; use a new key for a new request."), response);
            default:
                return (null, response);
        }
    }

    private static ProblemHttpResult Unprocessable(AdmissionProblem problem) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, type: problem.Code, title: problem.Title,
            detail: problem.Detail, extensions: new Dictionary<string, object?> { ["field"] = problem.Field });

    /// <summary>The key as sent: a header that is present but empty is "" (and refused), not "no key".</summary>
    private static string? PresentedKey(HttpContext http, string? bound) =>
        bound ?? (http.Request.Headers.TryGetValue(IdempotencyHeader, out var values) ? values.ToString() : null);

    private static void AddKeyErrors(string? key, Dictionary<string, string[]> errors)
    {
        if (key is not null && (key.Trim().Length is 0 or > 256 || key.Any(char.IsControl)))
        {
            errors[IdempotencyHeader] = ["The Idempotency-Key header must be 1-256 printable characters."];
        }
    }

    private static string? AcceptLanguage(HttpContext http)
    {
        var value = http.Request.Headers.AcceptLanguage.ToString();
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    private static string RequestHash<T>(string path, T request) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(path + "\n" + JsonSerializer.Serialize(request, JsonSerializerOptions.Web))));
}

public sealed record BulkEventSubmission(List<EventSubmission>? Events);

public sealed record EventAccepted(Guid Id, string Status);

public sealed record BulkAccepted(IReadOnlyList<Guid> Ids, int Count);
