using Comms.Core.ReleaseNotes;
using Comms.Web.Admin;
using Comms.Web.Pages.Admin.Broadcasts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Comms.Web.Pages.Admin.ReleaseNotes;

/// <summary>
/// A release note (<c>/admin/release-notes/edit</c> new, <c>/admin/release-notes/edit/{id}</c>): version, title, internal and
/// public bodies, sections, pull requests, visibility, channels — saved through <see cref="ReleaseNoteService"/> with the
/// API's validation (messages beside the fields) and audit rows; <b>Publish</b> (fresh-auth, like the API); and, once
/// published and public, <b>Announce</b>: a broadcast draft of the note's public fields for its channels and the chosen
/// audience (<see cref="ReleaseNoteAnnouncer"/>), opened in the broadcast page for its test send and send. SysOperators only.
/// </summary>
[Authorize(Policy = OperatorConsoleAuth.Policy)]
public sealed class EditModel(ReleaseNoteService notes, ReleaseNoteAnnouncer announcer, ConsoleFreshAuth freshAuth) : PageModel
{
    [BindProperty] public ReleaseNoteForm Form { get; set; } = new();
    [BindProperty] public string AudienceKind { get; set; } = BroadcastForm.AllTenants;
    [BindProperty] public string? AudienceTenants { get; set; }
    [BindProperty] public string? AudienceRoles { get; set; }
    [BindProperty] public string? ConfirmPassword { get; set; }
    [BindProperty] public string? ConfirmTotp { get; set; }
    [BindProperty(SupportsGet = true)] public string? Done { get; set; }

    public ReleaseNoteView? Existing { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = [];
    public string? FreshAuthPrompt { get; private set; }
    public string? Refusal { get; private set; }

    public string? Error(string field) =>
        Errors.Where(e => e.Key == field || e.Key.StartsWith(field + ".", StringComparison.Ordinal) || e.Key.StartsWith(field + "[", StringComparison.Ordinal))
            .SelectMany(e => e.Value).ToList() is { Count: > 0 } all ? string.Join(" ", all) : null;

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (Existing is not null)
        {
            Form = ReleaseNoteForm.From(Existing);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        var request = Form.ToRequest();
        Errors = ReleaseNoteRules.Validate(request);
        if (Errors.Count > 0)
        {
            return Page();
        }

        var actor = ConsoleOperator.From(User).Actor;
        var (outcome, note) = Existing is null
            ? await notes.CreateAsync(request, actor, cancellationToken)
            : await notes.ReplaceAsync(Existing.Id, request, actor, cancellationToken);
        switch (outcome)
        {
            case ReleaseNoteOutcome.Done:
                return RedirectToPage(new { id = note!.Id, done = "saved" });
            case ReleaseNoteOutcome.VersionTaken:
                Errors["version"] = ["Another release note has this version."];
                return Page();
            default:
                return NotFound();
        }
    }

    public async Task<IActionResult> OnPostPublishAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        Form = ReleaseNoteForm.From(Existing!);
        if ((FreshAuthPrompt = await freshAuth.ConfirmAsync(HttpContext, ConfirmPassword, ConfirmTotp, cancellationToken)) is not null)
        {
            return Page();
        }

        return await notes.PublishAsync(id, ConsoleOperator.From(User).Actor, cancellationToken) is null
            ? NotFound()
            : RedirectToPage(new { id, done = "published" });
    }

    public async Task<IActionResult> OnPostAnnounceAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, cancellationToken) is { } refused)
        {
            return refused;
        }

        Form = ReleaseNoteForm.From(Existing!);
        var audience = BroadcastForm.Audience(AudienceKind, AudienceTenants, AudienceRoles);
        var changelog = $"{Request.Scheme}://{Request.Host}/changelog";
        switch (await announcer.AnnounceAsync(id, audience, changelog, ConsoleOperator.From(User).Actor, cancellationToken))
        {
            case ReleaseNoteAnnouncer.Result.Created created:
                return Redirect($"/admin/broadcasts/{created.Broadcast.Id}?done=announced");
            case ReleaseNoteAnnouncer.Result.Refused no:
                Refusal = no.Reason;
                return Page();
            case ReleaseNoteAnnouncer.Result.Invalid invalid:
                Errors = invalid.Errors;
                Refusal = "The announcement was not created: " + string.Join(" ", invalid.Errors.SelectMany(e => e.Value));
                return Page();
            default:
                return NotFound();
        }
    }

    private async Task<IActionResult?> LoadAsync(Guid? id, CancellationToken cancellationToken)
    {
        if (!ConsoleOperator.From(User).IsSysOperator)
        {
            return Forbid(OperatorConsoleAuth.Scheme);
        }

        if (id is { } noteId)
        {
            if (await notes.GetAsync(noteId, cancellationToken) is not { } existing)
            {
                return NotFound();
            }

            Existing = existing;
        }

        return null;
    }
}

/// <summary>The note's fields; sections and pull requests one a line.</summary>
public sealed class ReleaseNoteForm
{
    public string? Version { get; set; }
    public string? Title { get; set; }
    public string? InternalBody { get; set; }
    public string? PublicBody { get; set; }
    public string? Added { get; set; }
    public string? Changed { get; set; }
    public string? Fixed { get; set; }
    public string? PullRequests { get; set; }
    public string Visibility { get; set; } = ReleaseNoteVisibility.Internal;
    public List<string> Channels { get; set; } = [];

    public ReleaseNoteRequest ToRequest() => new(
        Version?.Trim(), Title?.Trim(), InternalBody ?? "", PublicBody ?? "",
        new ReleaseNoteSectionsRequest(Lines(Added), Lines(Changed), Lines(Fixed)), Lines(PullRequests), Visibility, [.. Channels]);

    public static ReleaseNoteForm From(ReleaseNoteView view) => new()
    {
        Version = view.Version, Title = view.Title, InternalBody = view.InternalBody, PublicBody = view.PublicBody,
        Added = string.Join('\n', view.Sections.Added), Changed = string.Join('\n', view.Sections.Changed), Fixed = string.Join('\n', view.Sections.Fixed),
        PullRequests = string.Join('\n', view.PullRequests), Visibility = view.Visibility, Channels = [.. view.Channels],
    };

    private static List<string?> Lines(string? text) =>
        [.. (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
