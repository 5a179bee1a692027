using System.Text.RegularExpressions;

namespace Comms.Api.Contexts;

/// <summary>
/// The seed's route for scheduled messages, <c>/events/{key}/messages…</c> (SPEC S7, unversioned), is the same resource
/// as <c>/v1/contexts/{key}/messages…</c>: this rewrites the one into the other before routing, so both answer the same,
/// are authorised the same and appear once in the OpenAPI document. It cannot collide with <c>/v1/events</c>, whose
/// routes all start with <c>/v1/</c>; only paths of exactly this shape are rewritten.
/// </summary>
public static partial class EventsMessagesAlias
{
    [GeneratedRegex("^/events/(?<key>[^/]+)/messages(?<rest>/.*)?$")]
    private static partial Regex Pattern();

    public static IApplicationBuilder UseEventsMessagesAlias(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (http.Request.Path.Value is { } path && Pattern().Match(path) is { Success: true } match)
        {
            http.Request.Path = $"/v1/contexts/{match.Groups["key"].Value}/messages{match.Groups["rest"].Value}";
        }

        return next(http);
    });
}
