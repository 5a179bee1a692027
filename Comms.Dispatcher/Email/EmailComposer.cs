using Comms.Core.Messages;
using MimeKit;

namespace Comms.Dispatcher.Email;

/// <summary>
/// Builds the MIME message for a claimed email: text and HTML alternatives and the audit headers. Its
/// <c>Message-Id</c> is derived from our message id only (<see cref="MessageIdOf"/>), so a repeat after a crash
/// (email is at-least-once) carries the same one and mail clients collapse it.
/// </summary>
public static class EmailComposer
{
    /// <summary>The stable <c>Message-Id</c> (without angle brackets): <c>{messageId}@{tenant}.comms</c>.</summary>
    public static string MessageIdOf(ClaimedMessage message) =>
        $"{message.Id:D}@{message.TenantId}.comms";

    public static MimeMessage Compose(ClaimedMessage message, MailboxAddress from)
    {
        var mime = new MimeMessage();
        mime.From.Add(from);
        mime.To.Add(MailboxAddress.Parse(message.Address ?? throw new ArgumentException("The message has no address.", nameof(message))));
        mime.Subject = message.Content.Subject ?? "";
        mime.MessageId = MessageIdOf(message);
        mime.Headers.Add("X-Template-Name", message.TemplateName);
        mime.Headers.Add("X-Template-Version", message.TemplateVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        mime.Headers.Add("X-Comms-Message-Id", message.Id.ToString());

        var body = new BodyBuilder
        {
            TextBody = string.IsNullOrEmpty(message.Content.Text) ? null : message.Content.Text,
            HtmlBody = string.IsNullOrEmpty(message.Content.Html) ? null : message.Content.Html,
        };
        if (body.TextBody is null && body.HtmlBody is null)
        {
            body.TextBody = "";
        }

        mime.Body = body.ToMessageBody();
        return mime;
    }
}
