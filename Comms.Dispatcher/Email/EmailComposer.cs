using Comms.Core.Messages;
using MimeKit;

namespace Comms.Dispatcher.Email;

/// <summary>
/// Builds the MIME message for a claimed email: text and HTML alternatives and the audit headers. Its
/// <c>Message-Id</c> is derived from our message id only (<see cref="MessageIdOf"/>), so a repeat after a crash
/// (email is at-least-once) carries the same one and mail clients collapse it. A message with an unsubscribe link
/// (every email of a category that is not critical) carries the RFC 8058 one-click headers.
/// </summary>
public static class EmailComposer
{
    public const string ListUnsubscribe = "List-Unsubscribe";
    public const string ListUnsubscribePost = "List-Unsubscribe-Post";

    /// <summary>The one value RFC 8058 allows for <c>List-Unsubscribe-Post</c>.</summary>
    public const string OneClick = "List-Unsubscribe=One-Click";

    /// <summary>
    /// <c>&lt;https://…/unsubscribe/{token}&gt;, &lt;mailto:{address}?subject=unsubscribe%20{token}&gt;</c>: the HTTPS link a
    /// mail client POSTs to (RFC 8058), then a mailto for clients that only send mail (its subject names the token).
    /// </summary>
    public static string ListUnsubscribeValue(string unsubscribeUrl, MailboxAddress mailto)
    {
        var token = unsubscribeUrl[(unsubscribeUrl.LastIndexOf('/') + 1)..];
        return $"<{unsubscribeUrl}>, <mailto:{mailto.Address}?subject=unsubscribe%20{token}>";
    }

    /// <summary>The stable <c>Message-Id</c> (without angle brackets): <c>{messageId}@{tenant}.comms</c>.</summary>
    public static string MessageIdOf(ClaimedMessage message) =>
        $"{message.Id:D}@{message.TenantId}.comms";

    public static MimeMessage Compose(ClaimedMessage message, MailboxAddress from, MailboxAddress unsubscribeMailto)
    {
        var mime = new MimeMessage();
        // A copy: MimeKit's address list subscribes to the address it is given, so the shared one would hold every message.
        mime.From.Add(from.Clone());
        mime.To.Add(MailboxAddress.Parse(message.Address ?? throw new ArgumentException("The message has no address.", nameof(message))));
        mime.Subject = message.Content.Subject ?? "";
        mime.MessageId = MessageIdOf(message);
        mime.Headers.Add("X-Template-Name", message.TemplateName);
        mime.Headers.Add("X-Template-Version", message.TemplateVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        mime.Headers.Add("X-Comms-Message-Id", message.Id.ToString());
        if (message.UnsubscribeUrl is { } unsubscribeUrl)
        {
            mime.Headers.Add(ListUnsubscribe, ListUnsubscribeValue(unsubscribeUrl, unsubscribeMailto));
            mime.Headers.Add(ListUnsubscribePost, OneClick);
        }

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
