using System.Text;
using System.Text.Json.Serialization;
using Comms.Core.Messages;
using MimeKit;

namespace Comms.Dispatcher.Email;

/// <summary>
/// The v3 Mail Send body (<c>POST /v3/mail/send</c>) and how a claimed batch becomes requests. SendGrid carries one
/// <c>content</c> per request but our content is rendered per recipient, so: messages whose rendered text and HTML are
/// identical share a request with the literal content; messages whose content is their own share a request whose
/// content is two substitution tags, filled per personalization (<c>substitutions</c>, at most 10,000 bytes each);
/// a message too large for that goes alone. Every personalization carries its own <c>to</c>, <c>subject</c>, headers
/// (RFC 8058 one-click unsubscribe) and <c>custom_args</c> (<c>comms_message_id</c>, <c>comms_tenant</c>), at most
/// 1,000 a request and each address once per request.
/// </summary>
public static class SendGridWire
{
    public const int MaxPersonalizations = 1000;

    /// <summary>SendGrid's limit on the substitutions of one personalization (keys and values, in bytes).</summary>
    public const int MaxSubstitutionBytes = 10_000;

    public const string TextTag = "-comms-text-";
    public const string HtmlTag = "-comms-html-";
    public const string MessageIdArg = "comms_message_id";
    public const string TenantArg = "comms_tenant";

    /// <summary>The requests for <paramref name="messages"/> (each with its messages in personalization order).</summary>
    public static List<List<ClaimedMessage>> Plan(IReadOnlyList<ClaimedMessage> messages, int maxPerRequest)
    {
        var groups = new List<List<ClaimedMessage>>();
        var singles = new List<ClaimedMessage>();
        foreach (var group in messages.GroupBy(m => (m.Content.Text ?? "", m.Content.Html ?? "")))
        {
            if (group.Skip(1).Any())
            {
                groups.Add([.. group]);
            }
            else
            {
                singles.AddRange(group);
            }
        }

        // Content of their own: substitutions when they fit (grouped by which parts they have), else alone.
        foreach (var shape in singles.Where(FitsSubstitutions).GroupBy(m => (HasText(m), HasHtml(m))))
        {
            groups.Add([.. shape]);
        }

        groups.AddRange(singles.Where(m => !FitsSubstitutions(m)).Select(m => new List<ClaimedMessage> { m }));
        return [.. groups.SelectMany(g => Chunk(g, maxPerRequest))];
    }

    /// <summary>Chunks of at most <paramref name="max"/> in which no address appears twice (SendGrid refuses that).</summary>
    private static List<List<ClaimedMessage>> Chunk(List<ClaimedMessage> group, int max)
    {
        var chunks = new List<(List<ClaimedMessage> Messages, HashSet<string> Addresses)>();
        foreach (var message in group)
        {
            var address = message.Address ?? "";
            var chunk = chunks.FirstOrDefault(c => c.Messages.Count < max && !c.Addresses.Contains(address));
            if (chunk.Messages is null)
            {
                chunk = ([], new HashSet<string>(StringComparer.OrdinalIgnoreCase));
                chunks.Add(chunk);
            }

            chunk.Messages.Add(message);
            chunk.Addresses.Add(address);
        }

        return [.. chunks.Select(c => c.Messages)];
    }

    /// <summary>The body of one request. The messages share literal content when theirs is identical, else substitutions.</summary>
    public static SendGridMail Body(IReadOnlyList<ClaimedMessage> messages, MailboxAddress from, MailboxAddress unsubscribeMailto)
    {
        var first = messages[0];
        var literal = messages.Count == 1 || messages.All(m => m.Content.Text == first.Content.Text && m.Content.Html == first.Content.Html);
        var content = new List<SendGridContent>(2);
        if (literal)
        {
            if (HasText(first))
            {
                content.Add(new("text/plain", first.Content.Text!));
            }

            if (HasHtml(first))
            {
                content.Add(new("text/html", first.Content.Html!));
            }

            if (content.Count == 0)
            {
                content.Add(new("text/plain", " ")); // SendGrid refuses an empty value
            }
        }
        else
        {
            if (HasText(first))
            {
                content.Add(new("text/plain", TextTag));
            }

            if (HasHtml(first))
            {
                content.Add(new("text/html", HtmlTag));
            }
        }

        var personalizations = messages.Select(m => Personalization(m, literal ? null : Substitutions(m), unsubscribeMailto)).ToList();
        return new SendGridMail(personalizations, new SendGridAddress(from.Address, string.IsNullOrEmpty(from.Name) ? null : from.Name), content);
    }

    private static SendGridPersonalization Personalization(ClaimedMessage message, Dictionary<string, string>? substitutions, MailboxAddress unsubscribeMailto)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["X-Comms-Message-Id"] = message.Id.ToString(),
            ["X-Template-Name"] = message.TemplateName,
        };
        if (message.UnsubscribeUrl is { } unsubscribeUrl)
        {
            headers[EmailComposer.ListUnsubscribe] = EmailComposer.ListUnsubscribeValue(unsubscribeUrl, unsubscribeMailto);
            headers[EmailComposer.ListUnsubscribePost] = EmailComposer.OneClick;
        }

        return new SendGridPersonalization(
            [new SendGridAddress(message.Address!, null)],
            string.IsNullOrEmpty(message.Content.Subject) ? "(no subject)" : message.Content.Subject,
            headers,
            substitutions,
            new Dictionary<string, string>(StringComparer.Ordinal) { [MessageIdArg] = message.Id.ToString(), [TenantArg] = message.TenantId });
    }

    private static Dictionary<string, string> Substitutions(ClaimedMessage message)
    {
        var substitutions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (HasText(message))
        {
            substitutions[TextTag] = message.Content.Text!;
        }

        if (HasHtml(message))
        {
            substitutions[HtmlTag] = message.Content.Html!;
        }

        return substitutions;
    }

    private static bool FitsSubstitutions(ClaimedMessage message) =>
        (HasText(message) || HasHtml(message))
        && Encoding.UTF8.GetByteCount(message.Content.Text ?? "") + Encoding.UTF8.GetByteCount(message.Content.Html ?? "")
           + TextTag.Length + HtmlTag.Length <= MaxSubstitutionBytes;

    private static bool HasText(ClaimedMessage message) => !string.IsNullOrEmpty(message.Content.Text);

    private static bool HasHtml(ClaimedMessage message) => !string.IsNullOrEmpty(message.Content.Html);
}

public sealed record SendGridAddress(
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("name")] string? Name);

public sealed record SendGridContent(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("value")] string Value);

public sealed record SendGridPersonalization(
    [property: JsonPropertyName("to")] List<SendGridAddress> To,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("headers")] Dictionary<string, string> Headers,
    [property: JsonPropertyName("substitutions")] Dictionary<string, string>? Substitutions,
    [property: JsonPropertyName("custom_args")] Dictionary<string, string> CustomArgs);

public sealed record SendGridMail(
    [property: JsonPropertyName("personalizations")] List<SendGridPersonalization> Personalizations,
    [property: JsonPropertyName("from")] SendGridAddress From,
    [property: JsonPropertyName("content")] List<SendGridContent> Content);

public sealed record SendGridErrors([property: JsonPropertyName("errors")] List<SendGridError>? Errors);

public sealed record SendGridError(
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("field")] string? Field,
    [property: JsonPropertyName("help")] string? Help);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SendGridMail))]
[JsonSerializable(typeof(SendGridErrors))]
internal sealed partial class SendGridJson : JsonSerializerContext;
