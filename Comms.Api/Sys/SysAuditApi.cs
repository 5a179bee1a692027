using System.Globalization;
using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.Audit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Api.Sys;

/// <summary>
/// <c>GET /sys/audit</c>: the append-only audit log as JSON, newest first, a page at a time (cursor), filtered by actor,
/// action (exact, or a prefix ending in <c>.</c> such as <c>sys.inbox.</c>), target and a time range (<c>from</c>
/// inclusive, <c>to</c> exclusive, ISO 8601 with an offset). Operator token or platform key.
/// </summary>
public static class SysAuditApi
{
    public const int DefaultLimit = 50;

    public static RouteHandlerBuilder MapSysAuditApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/sys/audit", List).WithTags("Sys: audit").RequireAuthorization(AuthExtensions.SysPolicy)
            .WithSummary("Read the audit log, newest first")
            .WithDescription("Filters (all optional): actor (exact, e.g. operator:{id}, sys, provider:sendgrid), action (exact, or a prefix ending in '.', "
                + "e.g. sys.inbox.), target (exact, e.g. inbox-thread:{id}), from (inclusive) and to (exclusive) as ISO 8601 times with an offset; "
                + "limit 1-200 (default 50); cursor from the previous page's nextCursor.")
            .ProducesProblems(StatusCodes.Status400BadRequest, ProblemTypes.Validation);

    public static async Task<Results<Ok<AuditPage>, ValidationProblem>> List(
        string? actor, string? action, string? target, string? from, string? to, int? limit, string? cursor, AuditQuery audit,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Check(errors, "actor", actor, 200);
        Check(errors, "action", action, 64);
        Check(errors, "target", target, 300);
        var fromTime = Time(errors, "from", from);
        var toTime = Time(errors, "to", to);
        if (fromTime is not null && toTime is not null && toTime <= fromTime)
        {
            errors["to"] = ["Must be after from."];
        }

        if (limit is < 1 or > AuditQuery.MaxLimit)
        {
            errors["limit"] = [$"Between 1 and {AuditQuery.MaxLimit}."];
        }

        long? before = null;
        if (!string.IsNullOrEmpty(cursor) && (before = AuditQuery.ReadCursor(cursor)) is null)
        {
            errors["cursor"] = ["Not a cursor of this list: pass nextCursor of the previous page."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The audit filters are invalid.", type: ProblemTypes.Validation);
        }

        return TypedResults.Ok(await audit.ListAsync(
            new AuditFilter(Empty(actor), Empty(action), Empty(target), fromTime, toTime, before, limit ?? DefaultLimit), cancellationToken));
    }

    private static string? Empty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static void Check(Dictionary<string, string[]> errors, string name, string? value, int max)
    {
        if (value is not null && (value.Length > max || (value.Length > 0 && string.IsNullOrWhiteSpace(value))))
        {
            errors[name] = [$"At most {max} characters, not only spaces."];
        }
    }

    private static DateTimeOffset? Time(Dictionary<string, string[]> errors, string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors[name] = ["An ISO 8601 time, e.g. 2026-11-27T00:00:00Z."];
        return null;
    }
}
