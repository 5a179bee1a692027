using Comms.Core.Data;
using Comms.Core.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.Core.Templates;

/// <summary>
/// Writes of the templates feature (SPEC S3): save and delete drafts, publish, approve and reject.
/// Every write locks the draft row (<c>FOR UPDATE</c>) in its transaction, so an edit cannot slip
/// between an approval's read and its publish; published versions are never updated. After each
/// commit every process is told to drop its cached catalog of the tenant.
/// </summary>
public sealed class TemplateService(IDbContextFactory<CommsDbContext> contexts, CatalogChanges changes, TimeProvider time)
{
    /// <summary>Creates or replaces the draft of <paramref name="key"/>; an edit sends a pending draft back to draft.</summary>
    public async Task<TemplateResult<SavedDraft>> SaveDraftAsync(
        TemplateKey key, TemplateDraftInput? input, string actor, CancellationToken cancellationToken)
    {
        var shape = TemplateValidator.ValidateShape(key.Channel, input);
        if (shape.Count > 0)
        {
            return TemplateProblems.Validation(shape);
        }

        var syntax = await TemplateSyntax.CheckAsync(input!);
        if (syntax.Count > 0)
        {
            return TemplateProblems.Invalid(syntax);
        }

        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (input!.Category is { } category && !await TemplateCategories.ExistsAsync(db, key.TenantId, category, cancellationToken))
            {
                return TemplateProblems.UnknownCategory(category);
            }

            var now = time.GetUtcNow();
            var draft = await LockDraftAsync(db, key, cancellationToken);
            var created = draft is null;
            if (draft is null)
            {
                draft = new Template
                {
                    Id = Guid.CreateVersion7(now), TenantId = key.TenantId, Name = key.Name, Channel = key.Channel,
                    Locale = key.Locale, CreatedBy = actor, CreatedAt = now,
                };
                db.Templates.Add(draft);
            }

            draft.Status = TemplateStatus.Draft;
            draft.SubmittedBy = null;
            draft.Category = input.Category;
            draft.Marketing = input.Marketing;
            draft.Content = input.Content!;
            draft.VariablesSchema = input.VariablesSchema;
            draft.Variants = TemplateValidator.ToVariants(input.Variants);
            draft.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (IsUniqueViolation(ex) && attempt < 3)
            {
                continue; // another request created the draft first: save again as an update
            }

            await changes.PublishAsync(key.TenantId);
            return new SavedDraft(draft, created);
        }
    }

    public async Task<TemplateProblem?> DeleteDraftAsync(TemplateKey key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var draft = await LockDraftAsync(db, key, cancellationToken);
        if (draft is null)
        {
            return TemplateProblems.NoDraft(key);
        }

        db.Templates.Remove(draft);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await changes.PublishAsync(key.TenantId);
        return null;
    }

    /// <summary>
    /// Publishes the draft as the next version, or, when the template is critical, submits it for
    /// approval by another key (<see cref="TemplateStatus.PendingApproval"/>).
    /// </summary>
    public async Task<TemplateResult<PublishOutcome>> PublishAsync(TemplateKey key, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var draft = await LockDraftAsync(db, key, cancellationToken);
        if (draft is null)
        {
            return TemplateProblems.NoDraft(key);
        }

        if (draft.Status == TemplateStatus.PendingApproval)
        {
            return TemplateProblems.AlreadyPending(key, draft.SubmittedBy);
        }

        var critical = await TemplateCategories.CriticalReasonAsync(db, key, draft.Category, cancellationToken);
        draft.SubmittedBy = actor;
        if (critical is not null)
        {
            draft.Status = TemplateStatus.PendingApproval;
            draft.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            await changes.PublishAsync(key.TenantId);
            return new PublishOutcome(draft, Published: false, critical);
        }

        return await PublishLockedAsync(db, transaction, draft, approvedBy: null, cancellationToken) is { } problem
            ? problem
            : new PublishOutcome(draft, Published: true, ApprovalReason: null);
    }

    /// <summary>Publishes a pending draft; the approver must be another actor than the one who submitted it.</summary>
    public async Task<TemplateResult<Template>> ApproveAsync(TemplateKey key, string approver, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var pending = await LockPendingAsync(db, key, cancellationToken);
        if (pending.Value is not { } draft)
        {
            return pending;
        }

        if (string.Equals(draft.SubmittedBy, approver, StringComparison.Ordinal))
        {
            return TemplateProblems.SelfApproval(key);
        }

        return await PublishLockedAsync(db, transaction, draft, approver, cancellationToken) is { } problem ? problem : draft;
    }

    /// <summary>Sends a pending draft back to draft, unpublished.</summary>
    public async Task<TemplateResult<Template>> RejectAsync(TemplateKey key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var pending = await LockPendingAsync(db, key, cancellationToken);
        if (pending.Value is not { } draft)
        {
            return pending;
        }

        draft.Status = TemplateStatus.Draft;
        draft.SubmittedBy = null;
        draft.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await changes.PublishAsync(key.TenantId);
        return draft;
    }

    private async Task<TemplateProblem?> PublishLockedAsync(
        CommsDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, Template draft, string? approvedBy,
        CancellationToken cancellationToken)
    {
        var latest = await db.Templates
            .Where(t => t.TenantId == draft.TenantId && t.Name == draft.Name && t.Channel == draft.Channel
                && t.Locale == draft.Locale && t.Version != null)
            .MaxAsync(t => t.Version, cancellationToken);
        var now = time.GetUtcNow();
        draft.Version = (latest ?? 0) + 1;
        draft.Status = TemplateStatus.Published;
        draft.ApprovedBy = approvedBy;
        draft.PublishedAt = now;
        draft.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (IsUniqueViolation(ex))
        {
            return new TemplateProblem(TemplateCodes.Conflict, 409, "Another publish of this template won the race.",
                $"Version {draft.Version} of '{draft.Name}' ({draft.Channel}, {draft.Locale}) was published meanwhile; try again.");
        }

        await changes.PublishAsync(draft.TenantId);
        return null;
    }

    private static async Task<Template?> LockDraftAsync(CommsDbContext db, TemplateKey key, CancellationToken cancellationToken)
    {
        var rows = await db.Templates.FromSql(
                $"SELECT * FROM templates WHERE tenant_id = {key.TenantId} AND name = {key.Name} AND channel = {key.Channel} AND locale = {key.Locale} AND version IS NULL FOR UPDATE")
            .ToListAsync(cancellationToken);
        return rows.SingleOrDefault();
    }

    /// <summary>The locked draft of <paramref name="key"/> if it awaits approval; otherwise why it cannot be approved or rejected.</summary>
    private static async Task<TemplateResult<Template>> LockPendingAsync(CommsDbContext db, TemplateKey key, CancellationToken cancellationToken)
    {
        var draft = await LockDraftAsync(db, key, cancellationToken);
        if (draft is null)
        {
            return TemplateProblems.NoDraft(key);
        }

        return draft.Status == TemplateStatus.PendingApproval ? draft : TemplateProblems.NotPending(key);
    }

    private static bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}

/// <summary>A saved draft and whether this save created it.</summary>
public sealed record SavedDraft(Template Draft, bool Created);

/// <summary>A publish: the new version (<see cref="Published"/>), or the draft awaiting approval and why.</summary>
public sealed record PublishOutcome(Template Template, bool Published, string? ApprovalReason);

/// <summary>A value or the problem that prevented it.</summary>
public sealed class TemplateResult<T>
    where T : class
{
    private TemplateResult(T? value, TemplateProblem? problem)
    {
        Value = value;
        Problem = problem;
    }

    public T? Value { get; }
    public TemplateProblem? Problem { get; }

    public static implicit operator TemplateResult<T>(T value) => new(value, null);

    public static implicit operator TemplateResult<T>(TemplateProblem problem) => new(null, problem);
}
