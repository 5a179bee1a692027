using System.Text;
using System.Text.Json;
using Comms.Core.Audit;
using Comms.Core.Broadcasts;
using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.ReleaseNotes;

/// <summary>The body of <c>POST /sys/release-notes/{id}/announce</c>: the broadcast's audience and an optional link to the public changelog.</summary>
public sealed record ReleaseNoteAnnounceRequest(JsonElement? Audience, string? ChangelogUrl);

/// <summary>
/// Announces a published, public release note through the broadcast machinery: makes a broadcast <b>draft</b> from the
/// note's public fields only (version, title, public body, sections, a link to the public changelog — never the internal
/// body or the pull requests) for the note's channels (<c>in_app</c> → the banner, <c>email</c> → email) and the chosen
/// audience. The draft then goes through the broadcasts' own gate: the operator's test send, the send (fresh-auth), progress.
/// Audited <c>sys.release_note.announced</c> (with the broadcast's id) besides the broadcast's own <c>sys.broadcast.created</c>.
/// </summary>
public sealed class ReleaseNoteAnnouncer(IDbContextFactory<CommsDbContext> contexts, BroadcastService broadcasts, AuditLog audit, TimeProvider time)
{
    public const string AnnouncedAction = "sys.release_note.announced";

    /// <summary>How long the announcement's banner shows.</summary>
    public static readonly TimeSpan BannerDuration = TimeSpan.FromDays(7);

    public abstract record Result
    {
        public sealed record Created(BroadcastView Broadcast) : Result;
        public sealed record NotFound : Result;
        /// <summary>Only a published, public note with channels may be announced; the reason says which is missing.</summary>
        public sealed record Refused(string Reason) : Result;
        public sealed record Invalid(Dictionary<string, string[]> Errors) : Result;
    }

    public async Task<Result> AnnounceAsync(Guid noteId, JsonElement audience, string? changelogUrl, string actor, CancellationToken cancellationToken)
    {
        SysReleaseNote? note;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            note = await db.Set<SysReleaseNote>().AsNoTracking().FirstOrDefaultAsync(n => n.Id == noteId, cancellationToken);
        }

        if (note is null)
        {
            return new Result.NotFound();
        }

        if (note.Status != ReleaseNoteStatus.Published || note.Visibility != ReleaseNoteVisibility.Public)
        {
            return new Result.Refused("Only a published, public release note is announced: its public fields are what users get.");
        }

        if (note.Channels.Count == 0)
        {
            return new Result.Refused("The note has no channels to announce on: choose in-app and/or email on the note first.");
        }

        var request = Request(note, audience, changelogUrl, time.GetUtcNow());
        var errors = BroadcastValidation.Validate(request, out var parsed);
        if (errors.Count > 0)
        {
            return new Result.Invalid(errors);
        }

        switch (await broadcasts.CreateAsync(request, parsed!, actor, cancellationToken))
        {
            case BroadcastOutcome.Done done:
                await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
                {
                    audit.Add(db, null, actor, AnnouncedAction, "release_note:" + note.Id,
                        new { note.Version, broadcastId = done.View.Id, channels = done.View.Channels });
                    await db.SaveChangesAsync(cancellationToken);
                }

                return new Result.Created(done.View);
            case BroadcastOutcome.Invalid invalid:
                return new Result.Invalid(invalid.Errors);
            default:
                return new Result.Refused("The announcement could not be created.");
        }
    }

    /// <summary>The broadcast draft of a note: its public fields only; the text is literal (never read as Liquid).</summary>
    public static BroadcastRequest Request(SysReleaseNote note, JsonElement audience, string? changelogUrl, DateTimeOffset now)
    {
        var heading = Cut($"{note.Version}: {note.Title}", 150);
        var body = new StringBuilder(note.PublicBody.Trim());
        foreach (var (name, lines) in new[] { ("Added", note.Sections.Added), ("Changed", note.Sections.Changed), ("Fixed", note.Sections.Fixed) })
        {
            if (lines.Count > 0)
            {
                body.Append("\n\n**").Append(name).Append("**\n");
                foreach (var line in lines)
                {
                    body.Append("\n- ").Append(line);
                }
            }
        }

        if (changelogUrl is not null)
        {
            body.Append("\n\nThe changelog: ").Append(changelogUrl);
        }

        var text = Cut(body.ToString(), BroadcastLimits.MaxBodyLength - 40);
        var channels = note.Channels.Select(c => c == ReleaseNoteChannels.InApp ? BroadcastChannels.Banner : BroadcastChannels.Email).Distinct().ToList();
        var content = channels.ToDictionary(c => c, c => c == BroadcastChannels.Banner
            ? new BroadcastChannelContent(Inert(heading), Inert(text)) // the banner is not Liquid-rendered: keep it readable
            : new BroadcastChannelContent(Literal(heading), Literal(text)));
        return new BroadcastRequest
        {
            Title = Cut("Release " + heading, BroadcastLimits.MaxTitleLength),
            Audience = audience,
            Channels = channels,
            Content = content,
            Banner = channels.Contains(BroadcastChannels.Banner) ? new BroadcastBannerOptions("feature", "info", now.Add(BannerDuration)) : null,
        };
    }

    /// <summary>Liquid that renders as the text itself.</summary>
    private static string Literal(string text) =>
        text.Contains("{{", StringComparison.Ordinal) || text.Contains("{%", StringComparison.Ordinal)
            ? "{% raw %}" + text.Replace("{% endraw %}", "{ % endraw % }", StringComparison.Ordinal) + "{% endraw %}"
            : text;

    /// <summary>The text with Liquid's delimiters broken apart, for the banner (shown as Markdown, not rendered).</summary>
    private static string Inert(string text) =>
        text.Replace("{{", "{ {", StringComparison.Ordinal).Replace("{%", "{ %", StringComparison.Ordinal);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
