using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Comms.Core.Audit;
using Comms.Core.Data;
using Comms.Core.Templates;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.Core.ReleaseNotes;

public enum ReleaseNoteOutcome { Done, NotFound, VersionTaken }

/// <summary>Operators' release notes (<c>/sys/release-notes</c>) and the public changelog read from them.</summary>
public sealed class ReleaseNoteService(IDbContextFactory<CommsDbContext> contexts, AuditLog audit, TimeProvider time)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public async Task<(ReleaseNoteOutcome Outcome, ReleaseNoteView? Note)> CreateAsync(ReleaseNoteRequest request, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = Now();
        var note = new SysReleaseNote { Id = Guid.CreateVersion7(now), Version = "", Title = "", CreatedAt = now, UpdatedAt = now };
        ReleaseNoteRules.Apply(request, note);
        db.Add(note);
        audit.Add(db, null, actor, "sys.release_note.created", Target(note.Id), new { note.Version, note.Visibility });
        return await SaveAsync(db, note, cancellationToken);
    }

    public async Task<(ReleaseNoteOutcome Outcome, ReleaseNoteView? Note)> ReplaceAsync(Guid id, ReleaseNoteRequest request, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Set<SysReleaseNote>().FirstOrDefaultAsync(n => n.Id == id, cancellationToken) is not { } note)
        {
            return (ReleaseNoteOutcome.NotFound, null);
        }

        ReleaseNoteRules.Apply(request, note);
        note.UpdatedAt = Now();
        audit.Add(db, null, actor, "sys.release_note.updated", Target(id), new { note.Version, note.Visibility, note.Status });
        return await SaveAsync(db, note, cancellationToken);
    }

    /// <summary>Publishes a draft (sets <c>publishedAt</c>); publishing a published note again changes nothing.</summary>
    public async Task<ReleaseNoteView?> PublishAsync(Guid id, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Set<SysReleaseNote>().FirstOrDefaultAsync(n => n.Id == id, cancellationToken) is not { } note)
        {
            return null;
        }

        if (note.Status != ReleaseNoteStatus.Published)
        {
            var now = Now();
            note.Status = ReleaseNoteStatus.Published;
            note.PublishedAt = now;
            note.UpdatedAt = now;
            // Publishing sends nothing: the announcement on the note's channels is a broadcast draft (ReleaseNoteAnnouncer).
            audit.Add(db, null, actor, "sys.release_note.published", Target(id), new { note.Version, note.Visibility, note.Channels });
            await db.SaveChangesAsync(cancellationToken);
        }

        return ReleaseNoteView.From(note);
    }

    public async Task<bool> DeleteAsync(Guid id, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Set<SysReleaseNote>().FirstOrDefaultAsync(n => n.Id == id, cancellationToken) is not { } note)
        {
            return false;
        }

        db.Remove(note);
        audit.Add(db, null, actor, "sys.release_note.deleted", Target(id), new { note.Version });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<ReleaseNoteView?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var note = await db.Set<SysReleaseNote>().AsNoTracking().FirstOrDefaultAsync(n => n.Id == id, cancellationToken);
        return note is null ? null : ReleaseNoteView.From(note);
    }

    /// <summary>Every note (drafts too), newest created first, a page of <paramref name="limit"/> (pages count from 1).</summary>
    public async Task<IReadOnlyList<ReleaseNoteView>> ListAsync(int page, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var notes = await db.Set<SysReleaseNote>().AsNoTracking().OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Version)
            .Skip((page - 1) * limit).Take(limit).ToListAsync(cancellationToken);
        return notes.Select(ReleaseNoteView.From).ToList();
    }

    /// <summary>
    /// The public changelog: published, public notes only, newest published first, <paramref name="limit"/> a page.
    /// The cursor names the last note of the previous page (its publication time and version, both unique together).
    /// Null when the cursor is not one this method made.
    /// </summary>
    public async Task<ChangelogPage?> PublicPageAsync(string? cursor, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = PublicNotes(db);
        if (cursor is not null)
        {
            if (ParseCursor(cursor) is not { } parsed)
            {
                return null;
            }

            var (at, version) = parsed;

            query = query.Where(n => n.PublishedAt < at || (n.PublishedAt == at && string.Compare(n.Version, version) < 0));
        }

        var notes = await query.Take(limit + 1).ToListAsync(cancellationToken);
        var items = notes.Take(limit).Select(ToPublic).ToList();
        var next = notes.Count > limit ? Cursor(notes[limit - 1]) : null;
        return new ChangelogPage(items, next);
    }

    /// <summary>The newest <paramref name="count"/> public notes (the Atom feed and the HTML page).</summary>
    public async Task<IReadOnlyList<PublicReleaseNote>> LatestPublicAsync(int count, CancellationToken cancellationToken)
    {
        var page = await PublicPageAsync(null, count, cancellationToken);
        return page!.Items;
    }

    private static IQueryable<SysReleaseNote> PublicNotes(CommsDbContext db) =>
        db.Set<SysReleaseNote>().AsNoTracking()
            .Where(n => n.Status == ReleaseNoteStatus.Published && n.Visibility == ReleaseNoteVisibility.Public)
            .OrderByDescending(n => n.PublishedAt).ThenByDescending(n => n.Version);

    private static PublicReleaseNote ToPublic(SysReleaseNote n) =>
        new(n.Id, n.Version, n.Title, n.PublicBody, MarkdownRenderer.ToSafeHtml(n.PublicBody), n.Sections, n.PublishedAt!.Value);

    private static string Cursor(SysReleaseNote n)
    {
        var micros = (n.PublishedAt!.Value.UtcTicks / 10).ToString(CultureInfo.InvariantCulture);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(micros + "|" + n.Version));
    }

    private static (DateTimeOffset At, string Version)? ParseCursor(string cursor)
    {
        try
        {
            if (cursor.Length > 200)
            {
                return null;
            }

            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            return bar > 0 && long.TryParse(text.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
                && micros <= DateTimeOffset.MaxValue.UtcTicks / 10 && text.Length > bar + 1
                ? (new DateTimeOffset(micros * 10, TimeSpan.Zero), text[(bar + 1)..])
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static async Task<(ReleaseNoteOutcome, ReleaseNoteView?)> SaveAsync(CommsDbContext db, SysReleaseNote note, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return (ReleaseNoteOutcome.Done, ReleaseNoteView.From(note));
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return (ReleaseNoteOutcome.VersionTaken, null);
        }
    }

    /// <summary>Now, to the microsecond PostgreSQL keeps (so an answer's times equal what later reads return).</summary>
    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.UtcTicks % 10));
    }

    private static string Target(Guid id) => "release_note:" + id;
}
