using Comms.Api.Auth;
using Comms.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comms.Api.Events;

public static class EventDetails
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    /// <summary>The event and one page of its decisions (oldest first); <c>nextCursor</c> is given back as <c>after</c> for the next.</summary>
    public static async Task<Results<Ok<EventView>, ValidationProblem, ProblemHttpResult>> GetEvent(
        Guid id, string? after, int? limit, HttpContext http, CommsDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        long cursor = 0;
        if (after is not null && (!long.TryParse(after, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out cursor) || cursor <= 0))
        {
            errors["after"] = ["after must be a nextCursor returned by this endpoint."];
        }

        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, type: "COMMS_VALIDATION");
        }

        var tenantId = http.User.TenantId();
        var ev = await db.Events.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id && e.TenantId == tenantId, cancellationToken);
        if (ev is null)
        {
            return TypedResults.Problem(statusCode: 404, type: "COMMS_NOT_FOUND", title: "Event not found.",
                detail: $"No event {id} exists for this tenant.");
        }

        var decisions = await (
                from d in db.Decisions.AsNoTracking()
                where d.EventId == id && d.TenantId == tenantId && d.Id > cursor
                join m in db.Messages.AsNoTracking() on d.MessageId equals m.Id into messages
                from m in messages.DefaultIfEmpty()
                orderby d.Id
                select new { d.Id, View = new DecisionView(d.RecipientExternalId, d.Channel, d.Outcome, d.Reason, d.Detail, d.MessageId,
                    d.DueAt, m == null ? null : m.Status, m == null ? null : m.SentAt, d.CreatedAt) })
            .Take((limit ?? DefaultPageSize) + 1)
            .ToListAsync(cancellationToken);

        var page = decisions.Take(limit ?? DefaultPageSize).ToList();
        var next = decisions.Count > page.Count ? page[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new EventView(ev.Id, ev.Name, ev.Category, ev.Priority, ev.CauseRef, ev.Status, ev.Error,
            ev.SendAt, ev.CreatedAt, ev.RoutedAt, page.Select(d => d.View).ToList(), next));
    }
}

public sealed record EventView(
    Guid Id,
    string Name,
    string Category,
    string Priority,
    string CauseRef,
    string Status,
    string? Error,
    DateTimeOffset? SendAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RoutedAt,
    IReadOnlyList<DecisionView> Decisions,
    string? NextCursor);

/// <summary>One recipient × channel decision: queued, deferred or blocked with its reason code.</summary>
public sealed record DecisionView(
    string Recipient,
    string Channel,
    string Outcome,
    string? Reason,
    string? Detail,
    Guid? MessageId,
    DateTimeOffset? DueAt,
    string? MessageStatus,
    DateTimeOffset? SentAt,
    DateTimeOffset DecidedAt);
