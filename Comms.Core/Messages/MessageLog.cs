using Comms.Core.Data;

namespace Comms.Core.Messages;

/// <summary>
/// The filters of the delivery log (<c>GET /v1/messages</c>, the console's <c>/admin/messages</c>), also the selection of a
/// bulk resend. <see cref="Provider"/>: the provider of the message's latest attempt (<see cref="AttemptProviders.All"/>).
/// </summary>
public sealed record MessageFilter(
    string? Status, string? Channel, string? Recipient, Guid? Event, DateTimeOffset? From, DateTimeOffset? To, string? Provider = null);

/// <summary>The delivery log's filtering, shared by the API and the console.</summary>
public static class MessageLog
{
    /// <summary>The filter's errors by query parameter (or JSON path, with <paramref name="prefix"/>).</summary>
    public static Dictionary<string, string[]> Validate(MessageFilter filter, string prefix)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (filter.Status is not null && !MessageStatus.All.Contains(filter.Status))
        {
            errors[prefix + "status"] = [$"status must be one of: {string.Join(", ", MessageStatus.All)}."];
        }

        if (filter.Channel is not null && !Channel.All.Contains(filter.Channel))
        {
            errors[prefix + "channel"] = [$"channel must be one of: {string.Join(", ", Channel.All)}."];
        }

        if (filter.Provider is not null && !AttemptProviders.All.Contains(filter.Provider))
        {
            errors[prefix + "provider"] = [$"provider must be one of: {string.Join(", ", AttemptProviders.All)}."];
        }

        if (filter.From is { } start && filter.To is { } end && end < start)
        {
            errors[prefix + "to"] = ["to must not be before from."];
        }

        return errors;
    }

    public static IQueryable<Message> Apply(CommsDbContext db, IQueryable<Message> query, MessageFilter filter)
    {
        if (filter.Status is { } status)
        {
            query = query.Where(m => m.Status == status);
        }

        if (filter.Channel is { } channel)
        {
            query = query.Where(m => m.Channel == channel);
        }

        if (filter.Provider is { } provider)
        {
            query = query.Where(m => m.Provider == provider);
        }

        if (filter.Recipient is { } recipient)
        {
            query = query.Where(m => db.Recipients.Any(r => r.Id == m.RecipientId && r.ExternalId == recipient));
        }

        if (filter.Event is { } eventId)
        {
            query = query.Where(m => m.EventId == eventId);
        }

        if (filter.From is { } from)
        {
            query = query.Where(m => m.CreatedAt >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(m => m.CreatedAt < to);
        }

        return query;
    }
}
