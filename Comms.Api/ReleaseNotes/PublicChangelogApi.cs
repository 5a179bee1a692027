using Comms.Core.ReleaseNotes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Api.ReleaseNotes;

/// <summary>
/// The public changelog, no credential: published notes with public visibility only, and only their public fields
/// (version, title, public body, sections, publishedAt), as JSON pages (<c>/public/changelog</c>) and an Atom feed
/// (<c>/public/changelog.atom</c>). The HTML page is Comms.Web's <c>/changelog</c>.
/// </summary>
public static class PublicChangelogApi
{
    public const int FeedSize = 50;

    public static RouteGroupBuilder MapPublicChangelogApi(this IEndpointRouteBuilder app)
    {
        // Not in the OpenAPI document of the tenant/operator API (like /readme): public, read-only, documented in the README.
        var group = app.MapGroup("/public").AllowAnonymous().ExcludeFromDescription();
        group.MapGet("/changelog", Page).WithSummary("The public changelog, newest first (page with the cursor 'next')")
            .WithDescription("Published, public release notes only: version, title, body (Markdown) and bodyHtml (rendered, sanitized), sections, publishedAt. limit 1-100 (default 20); pass the previous page's 'next' as cursor.");
        group.MapGet("/changelog.atom", Feed).WithSummary("The public changelog as an Atom 1.0 feed (the newest 50 notes)");
        return group;
    }

    public static async Task<Results<Ok<ChangelogPage>, ValidationProblem>> Page(
        string? cursor, int? limit, ReleaseNoteService notes, HttpContext http, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > ReleaseNoteService.MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit is between 1 and {ReleaseNoteService.MaxPageSize}."] },
                title: "The query is invalid.", type: "COMMS_VALIDATION");
        }

        if (await notes.PublicPageAsync(cursor, limit ?? ReleaseNoteService.DefaultPageSize, cancellationToken) is not { } page)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = ["cursor is the 'next' of a previous page."] },
                title: "The query is invalid.", type: "COMMS_VALIDATION");
        }

        http.Response.Headers.CacheControl = "public, max-age=60";
        return TypedResults.Ok(page);
    }

    public static async Task<IResult> Feed(ReleaseNoteService notes, HttpContext http, TimeProvider time, CancellationToken cancellationToken)
    {
        var latest = await notes.LatestPublicAsync(FeedSize, cancellationToken);
        var self = new Uri($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{http.Request.Path}");
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Text(ChangelogAtom.Build(latest, self, time.GetUtcNow()), ChangelogAtom.ContentType + "; charset=utf-8");
    }
}
