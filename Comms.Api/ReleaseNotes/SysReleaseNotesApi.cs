using System.Security.Claims;
using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.ReleaseNotes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Comms.Api.ReleaseNotes;

/// <summary>
/// Operators write release notes (<c>/sys/release-notes</c>): drafts, then publish. A published note with public
/// visibility appears in the public changelog (<see cref="PublicChangelogApi"/>); the channels are stored for the
/// announcement that broadcasts will make (not sent yet).
/// </summary>
public static class SysReleaseNotesApi
{
    public static RouteGroupBuilder MapSysReleaseNotesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sys/release-notes").WithTags("Sys: release notes").RequireAuthorization(AuthExtensions.SysPolicy);
        group.MapPost("/", Create).WithSummary("Create a release note (a draft)")
            .WithDescription("version (semver, unique), title, internalBody and publicBody (Markdown), sections {added, changed, fixed}, pullRequests (https URLs), visibility (internal | public, default internal), channels (in_app, email: stored for the announcement broadcasts will make).")
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict);
        group.MapGet("/", List).WithSummary("List release notes, drafts included, newest first (page and limit)");
        group.MapGet("/{id:guid}", Get).WithSummary("Get a release note")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPut("/{id:guid}", Replace).WithSummary("Replace a release note (every field; its status and publishedAt stay)")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict);
        group.MapDelete("/{id:guid}", Delete).WithSummary("Delete a release note")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound);
        group.MapPost("/{id:guid}/publish", Publish).WithSummary("Publish a release note")
            .WithDescription("Sets status published and publishedAt (publishing again changes nothing). A public note then appears in the public changelog. With an operator token this needs a recent sign-in (fresh-auth).")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .RequireFreshAuth();
        return group;
    }

    public static async Task<Results<Created<ReleaseNoteView>, ValidationProblem, ProblemHttpResult>> Create(
        ReleaseNoteRequest? request, ReleaseNoteService notes, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = ReleaseNoteRules.Validate(request);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var (outcome, note) = await notes.CreateAsync(request!, Actor(user), cancellationToken);
        return outcome == ReleaseNoteOutcome.Done ? TypedResults.Created($"/sys/release-notes/{note!.Id}", note) : VersionTaken(request!.Version!);
    }

    public static async Task<Results<Ok<IReadOnlyList<ReleaseNoteView>>, ValidationProblem>> List(
        int? page, int? limit, ReleaseNoteService notes, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > 100 || page is < 1 or > 100_000)
        {
            return Invalid(new() { [limit is < 1 or > 100 ? "limit" : "page"] = ["page is 1 or more; limit is between 1 and 100."] });
        }

        return TypedResults.Ok(await notes.ListAsync(page ?? 1, limit ?? 50, cancellationToken));
    }

    public static async Task<Results<Ok<ReleaseNoteView>, ProblemHttpResult>> Get(Guid id, ReleaseNoteService notes, CancellationToken cancellationToken) =>
        await notes.GetAsync(id, cancellationToken) is { } note ? TypedResults.Ok(note) : NotFound(id);

    public static async Task<Results<Ok<ReleaseNoteView>, ValidationProblem, ProblemHttpResult>> Replace(
        Guid id, ReleaseNoteRequest? request, ReleaseNoteService notes, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var errors = ReleaseNoteRules.Validate(request);
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        var (outcome, note) = await notes.ReplaceAsync(id, request!, Actor(user), cancellationToken);
        return outcome switch
        {
            ReleaseNoteOutcome.Done => TypedResults.Ok(note!),
            ReleaseNoteOutcome.NotFound => NotFound(id),
            _ => VersionTaken(request!.Version!),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, ReleaseNoteService notes, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await notes.DeleteAsync(id, Actor(user), cancellationToken) ? TypedResults.NoContent() : NotFound(id);

    public static async Task<Results<Ok<ReleaseNoteView>, ProblemHttpResult>> Publish(
        Guid id, ReleaseNoteService notes, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await notes.PublishAsync(id, Actor(user), cancellationToken) is { } note ? TypedResults.Ok(note) : NotFound(id);

    /// <summary>The audit actor: <c>operator:&lt;id&gt;</c> for an operator token, <c>platform-key</c> for the platform key.</summary>
    private static string Actor(ClaimsPrincipal user) =>
        user.FindFirst(JwtRegisteredClaimNames.Sub)?.Value is { } id ? "operator:" + id : "platform-key";

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The release note is invalid.", type: ProblemTypes.Validation);

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: 404, type: ProblemTypes.NotFound, title: "Release note not found.", detail: $"No release note '{id}' exists.");

    private static ProblemHttpResult VersionTaken(string version) =>
        TypedResults.Problem(statusCode: 409, type: ProblemTypes.Conflict, title: "The version has a release note already.",
            detail: $"A release note for version '{version}' exists already.", extensions: new Dictionary<string, object?> { ["field"] = "version" });
}
