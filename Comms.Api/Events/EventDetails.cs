using Comms.Api.Auth;
using Comms.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Comms.Api.Events;

public static class EventDetails
{
    public static async Task<Results<Ok<EventView>, ProblemHttpResult>> GetEvent(
        Guid id, HttpContext http, CommsDbContext db, CancellationToken cancellationToken)
    {
        var tenantId = http.User.TenantId();
        var ev = await db.Events.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id && e.TenantId == tenantId, cancellationToken);
        if (ev is null)
        {
            return TypedResults.Problem(statusCode: 404, type: "COMMS_NOT_FOUND", title: "Event not found.",
                detail: $"No event {id} exists for this tenant.");
        }

        var decisions = await (
                from d in db.Decisions.AsNoTracking()
                where d.EventId == id && d.TenantId == tenantId
                join m in db.Messages.AsNoTracking() on d.MessageId equals m.Id into messages
                from m in messages.DefaultIfEmpty()
                orderby d.Id
                select new DecisionView(d.RecipientExternalId, d.Channel, d.Outcome, d.Reason, d.Detail, d.MessageId,
                    d.DueAt, m == null ? null : m.Status, m == null ? null : m.SentAt, d.CreatedAt))
            .ToListAsync(cancellationToken);

        return TypedResults.Ok(new EventView(ev.Id, ev.Name, ev.Category, ev.Priority, ev.CauseRef, ev.Status, ev.Error,
            ev.SendAt, ev.CreatedAt, ev.RoutedAt, decisions));
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
    IReadOnlyList<DecisionView> Decisions);

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
