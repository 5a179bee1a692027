using Comms.Core.SupportInbox;
using Comms.Dispatcher.Email;
using Comms.Dispatcher.Queueing;
using Comms.Dispatcher.Sending;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Comms.Dispatcher.SupportInbox;

/// <summary>
/// Sends operators' replies from the operator inbox (issue 12) over the deployment's SMTP sender: from
/// <c>Comms:Email:From</c>, with the reply's <c>Message-Id</c>, <c>In-Reply-To</c> and <c>References</c> (so the
/// sender's client threads it, and their answer threads back), and <c>Reply-To: reply+{token}@{Comms:Inbound:ReplyDomain}</c>
/// when that domain is set. Woken by topic <see cref="SupportInboxService.WakeTopic"/>.
/// </summary>
public sealed partial class InboxReplyWorker(
    InboxReplyQueue queue,
    SmtpEmailSender smtp,
    IOptions<InboundMailOptions> inbound,
    DispatcherSignals signals,
    IOptions<DispatcherOptions> options,
    TimeProvider time,
    ILogger<InboxReplyWorker> logger) : QueueWorker(SupportInboxService.WakeTopic, signals, options, time, logger)
{
    private const int BatchSize = 10;

    protected override async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        var claimed = await queue.ClaimAsync(BatchSize, cancellationToken);
        foreach (var reply in claimed)
        {
            using var mime = Compose(reply, smtp.From, inbound.Value.ReplyDomain);
            switch (await smtp.SendMimeAsync(mime, cancellationToken))
            {
                case SendOutcome.Sent:
                    await queue.MarkSentAsync(reply.Id, cancellationToken);
                    break;
                case SendOutcome.Permanent permanent:
                    LogFailed(Logger, reply.Id, permanent.Error);
                    await queue.MarkFailedAsync(reply.Id, permanent.Error, cancellationToken);
                    break;
                case SendOutcome.Transient transient:
                    await queue.RetryAsync(reply, transient.Error, cancellationToken);
                    break;
                default:
                    await queue.RetryAsync(reply, "not sent", cancellationToken);
                    break;
            }
        }

        return claimed.Count > 0;
    }

    protected override Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => queue.NextDueAsync(cancellationToken);

    public static MimeMessage Compose(ClaimedInboxReply reply, MailboxAddress from, string? replyDomain)
    {
        var mime = new MimeMessage();
        mime.From.Add(from.Clone()); // a copy: the address list subscribes to it (see EmailComposer.Compose)
        mime.To.Add(MailboxAddress.Parse(reply.To));
        if (!string.IsNullOrEmpty(replyDomain))
        {
            mime.ReplyTo.Add(new MailboxAddress(from.Name, $"reply+{reply.ReplyToken}@{replyDomain}"));
        }

        mime.Subject = reply.Subject;
        mime.MessageId = reply.MessageId;
        if (reply.InReplyTo is { } inReplyTo)
        {
            mime.InReplyTo = inReplyTo;
        }

        foreach (var reference in InboundMailParser.MessageIds(reply.References))
        {
            mime.References.Add(reference);
        }

        mime.Headers.Add("X-Comms-Inbox-Thread", reply.ThreadId.ToString());
        mime.Body = new TextPart("plain") { Text = reply.Text };
        return mime;
    }

    [LoggerMessage(1, LogLevel.Warning, "Inbox reply {ReplyId} could not be sent: {Error}")]
    private static partial void LogFailed(ILogger logger, Guid replyId, string error);
}
