using Comms.Core.ContextMail;

namespace Comms.Realtime;

/// <summary>
/// In-context mail (SPEC S8) with its live badges: after a mail is stored, each recipient's connections get their
/// fresh unread count for the context (<c>contextUnreadChanged</c>); after a read or a delete, the reader's other tabs
/// get theirs. Pushes are fire-and-forget through <see cref="LivePushes"/>.
/// </summary>
public sealed class LiveContextMail(ContextMailService mail, ContextMailbox mailbox, LivePushes pushes, TimeProvider time)
{
    public async Task<MailSendOutcome> SendAsync(string tenantId, string contextKey, MailSender sender, MailRequest request,
        CancellationToken cancellationToken) =>
        Pushed(tenantId, await mail.SendAsync(tenantId, contextKey, sender, request, cancellationToken));

    public async Task<MailSendOutcome> SendSystemAsync(Core.Contexts.Context context, string systemEvent, IReadOnlyList<string>? to,
        string subject, string body, CancellationToken cancellationToken) =>
        Pushed(context.TenantId, await mail.SendSystemAsync(context, systemEvent, to, subject, body, cancellationToken));

    public async Task<MailboxOutcome<MailRead>> MarkReadAsync(string tenantId, string externalId, string contextKey, Guid mailId,
        CancellationToken cancellationToken)
    {
        var read = await mailbox.MarkReadAsync(tenantId, externalId, contextKey, mailId, cancellationToken);
        if (read.Value is { } value)
        {
            pushes.ContextUnreadChanged(tenantId, externalId, new ContextUnread(contextKey, value.Unread, time.GetUtcNow()));
        }

        return read;
    }

    public async Task<MailboxOutcome<ContextUnread>> DeleteAsync(string tenantId, string externalId, string contextKey, Guid mailId,
        CancellationToken cancellationToken)
    {
        var deleted = await mailbox.DeleteAsync(tenantId, externalId, contextKey, mailId, cancellationToken);
        if (deleted.Value is { } unread)
        {
            pushes.ContextUnreadChanged(tenantId, externalId, unread);
        }

        return deleted;
    }

    private MailSendOutcome Pushed(string tenantId, MailSendOutcome sent)
    {
        if (sent.Mail is not null)
        {
            var now = time.GetUtcNow();
            foreach (var recipient in sent.Recipients)
            {
                pushes.ContextUnreadChanged(tenantId, recipient.ExternalId, new ContextUnread(sent.ContextKey!, recipient.Unread, now));
            }
        }

        return sent;
    }
}
