using System.Security.Claims;
using Comms.Api.Auth;
using Comms.Api.OpenApi;
using Comms.Core.ReleaseNotes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Comms.Api.ReleaseNotes;

/// <summary>
/// Operators write release notes (<c>/sys/release-notes</c>): drafts, then publish. A published note with public
/// visibility appears in the public changelog (<see cref="PublicChangelogApi"/>); announcing it on its channels makes a
/// broadcast draft (<see cref="ReleaseNoteAnnouncer"/>) that goes through the broadcasts' test-send gate.
/// </summary>
public static class SysReleaseNotesApi
{
    public static RouteGroupBuilder MapSysReleaseNotesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sys/release-notes").WithTags("Sys: release notes").RequireAuthorization(AuthExtensions.SysPolicy);
        group.MapPost("/", Create).WithSummary("Create a release note (a draft)")
            .WithDescription("version (semver, unique), title, internalBody and publicBody (Markdown), sections {added, changed, fixed}, pullRequests (https URLs), visibility (internal | public, default internal), channels (in_app, email: what POST /sys/release-notes/{id}/announce announces on).")
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
        group.MapPost("/{id:guid}/announce", Announce).WithSummary("Announce a published, public release note: a broadcast draft of its public fields")
            .WithDescription("{ audience ({allTenants:true} | {tenants:[...]} | {roles:[...]}), changelogUrl? }. Makes a broadcast draft (201, the broadcast) "
                + "on the note's channels (in_app → banner, email → email) from its version, title, public body and sections, never the internal body; "
                + "test-send and send it with /sys/broadcasts/{id}/test-send and /send. 409 when the note is not published and public or has no channels.")
            .ProducesProblems(StatusCodes.Status404NotFound, ProblemTypes.NotFound)
            .ProducesProblems(StatusCodes.Status409Conflict, ProblemTypes.Conflict)
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity, ProblemTypes.Validation);
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

    public static async Task<Results<Created<Comms.Core.Broadcasts.BroadcastView>, ProblemHttpResult>> Announce(
        Guid id, ReleaseNoteAnnounceRequest? request, ReleaseNoteAnnouncer announcer, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (request?.Audience is not { ValueKind: System.Text.Json.JsonValueKind.Object } audience)
        {
            return Unprocessable(new() { ["audience"] = ["audience is required: {\"allTenants\":true}, {\"tenants\":[...]} or {\"roles\":[...]}."] });
        }

        if (request.ChangelogUrl is { } url && (url.Length > ReleaseNoteRules.MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("https" or "http")))
        {
            return Unprocessable(new() { ["changelogUrl"] = [$"changelogUrl is an absolute http(s) URL of at most {ReleaseNoteRules.MaxUrlLength} characters."] });
        }

        return await announcer.AnnounceAsync(id, audience, request.ChangelogUrl, Actor(user), cancellationToken) switch
        {
            ReleaseNoteAnnouncer.Result.Created created => TypedResults.Created($"/sys/broadcasts/{created.Broadcast.Id}", created.Broadcast),
            ReleaseNoteAnnouncer.Result.Refused refused => TypedResults.Problem(statusCode: 409, type: ProblemTypes.Conflict,
                title: "The release note cannot be announced.", detail: refused.Reason),
            ReleaseNoteAnnouncer.Result.Invalid invalid => Unprocessable(invalid.Errors),
            _ => NotFound(id),
        };
    }

    /// <summary>The audit actor: <c>operator:&lt;id&gt;</c> for an operator token, <c>platform-key</c> for the platform key.</summary>
    private static string Actor(ClaimsPrincipal user) =>
        user.FindFirst(JwtRegisteredClaimNames.Sub)?.Value is { } id ? "operator:" + id : "platform-key";

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The release note is invalid.", type: ProblemTypes.Validation);

    private static ProblemHttpResult Unprocessable(Dictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity, Type = ProblemTypes.Validation, Title = "The announcement is invalid.",
        });

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: 404, type: ProblemTypes.NotFound, title: "Release note not found.", detail: $"No release note '{id}' exists.");

    private static ProblemHttpResult VersionTaken(string version) =>
        TypedResults.Problem(statusCode: 409, type: ProblemTypes.Conflict, title: "The version has a release note already.",
            detail: $"A release note for version '{version}' exists already.", extensions: new Dictionary<string, object?> { ["field"] = "version" });
}
