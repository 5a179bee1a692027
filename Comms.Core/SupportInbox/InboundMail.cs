using System.Net.Mail;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Comms.Core.SupportInbox;

/// <summary>One attachment's metadata (its content is not kept).</summary>
public sealed record InboundAttachment(string Field, string? Filename, string? Type, long? Size);

/// <summary>A mail as SendGrid Inbound Parse posted it, checked.</summary>
public sealed record InboundMail(
    string From, string FromAddress, string? To, IReadOnlyList<string> ToAddresses, string Subject, string? Text, string? Html, string? Headers,
    string? Envelope, string? Charsets, IReadOnlyList<InboundAttachment> Attachments, string? MessageId, string? InReplyTo,
    IReadOnlyList<string> References);

/// <summary>
/// Reads SendGrid Inbound Parse's fields (https://www.twilio.com/docs/sendgrid/for-developers/parsing-email/inbound-email):
/// <c>from</c>, <c>to</c>, <c>cc</c>, <c>subject</c>, <c>text</c>, <c>html</c>, <c>headers</c> (the raw header block),
/// <c>envelope</c> (JSON: <c>to</c> array, <c>from</c>), <c>charsets</c> (JSON), <c>attachments</c> (a count) and
/// <c>attachment-info</c> (JSON: per <c>attachmentN</c> its filename, name and type). Errors name the field.
/// </summary>
public static partial class InboundMailParser
{
    public const int MaxSubjectLength = 998;

    public static (InboundMail? Mail, Dictionary<string, string[]> Errors) Parse(
        IReadOnlyDictionary<string, string> fields, IReadOnlyDictionary<string, (string? Filename, string? Type, long Size)> files)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var from = Field(fields, "from");
        string? fromAddress = null;
        if (string.IsNullOrWhiteSpace(from))
        {
            errors["from"] = ["Required: the sender of the mail."];
        }
        else if (Address(from) is not { } parsed)
        {
            errors["from"] = ["Not an email address."];
        }
        else
        {
            fromAddress = parsed;
        }

        var to = Field(fields, "to");
        var toAddresses = new List<string>();
        if (!string.IsNullOrWhiteSpace(to))
        {
            toAddresses.AddRange(Addresses(to));
        }

        var envelope = Field(fields, "envelope");
        if (envelope is not null)
        {
            if (JsonObject(envelope) is not { } document)
            {
                errors["envelope"] = ["Must be a JSON object (SMTP envelope: to, from)."];
            }
            else
            {
                using (document)
                {
                    if (document.RootElement.TryGetProperty("to", out var envelopeTo) && envelopeTo.ValueKind == JsonValueKind.Array)
                    {
                        toAddresses.AddRange(envelopeTo.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
                    }

                    if (fromAddress is null && errors.Remove("from") && document.RootElement.TryGetProperty("from", out var envelopeFrom)
                        && envelopeFrom.ValueKind == JsonValueKind.String && Address(envelopeFrom.GetString()!) is { } returnPath)
                    {
                        fromAddress = returnPath;
                        from = envelopeFrom.GetString();
                    }
                    else if (fromAddress is null)
                    {
                        errors["from"] = ["Required: the sender of the mail (an email address)."];
                    }
                }
            }
        }

        var charsets = Field(fields, "charsets");
        if (charsets is not null)
        {
            using var charsetsDocument = JsonObject(charsets);
            if (charsetsDocument is null)
            {
                errors["charsets"] = ["Must be a JSON object (field name → character set)."];
            }
        }

        var attachments = new List<InboundAttachment>();
        var count = Field(fields, "attachments");
        if (count is not null && (!int.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n > 1000))
        {
            errors["attachments"] = ["Must be the number of attachments (0 to 1000)."];
        }

        var info = Field(fields, "attachment-info");
        if (info is not null)
        {
            if (JsonObject(info) is not { } infoDocument)
            {
                errors["attachment-info"] = ["Must be a JSON object (attachmentN → filename, name, type)."];
            }
            else
            {
                using (infoDocument)
                {
                    foreach (var property in infoDocument.RootElement.EnumerateObject())
                    {
                        if (property.Value.ValueKind != JsonValueKind.Object)
                        {
                            errors["attachment-info"] = [$"'{property.Name}' must be an object."];
                            break;
                        }

                        files.TryGetValue(property.Name, out var file);
                        attachments.Add(new InboundAttachment(property.Name,
                            Text(property.Value, "filename") ?? Text(property.Value, "name") ?? file.Filename,
                            Text(property.Value, "type") ?? file.Type, file == default ? null : file.Size));
                    }
                }
            }
        }

        foreach (var (field, file) in files)
        {
            if (!attachments.Any(a => a.Field == field))
            {
                attachments.Add(new InboundAttachment(field, file.Filename, file.Type, file.Size));
            }
        }

        var headers = Field(fields, "headers");
        var parsedHeaders = headers is null ? [] : HeaderBlock(headers);
        var subject = Field(fields, "subject") ?? Header(parsedHeaders, "Subject") ?? "";
        if (subject.Length > MaxSubjectLength)
        {
            errors["subject"] = [$"At most {MaxSubjectLength} characters."];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var references = MessageIds(Header(parsedHeaders, "References"));
        return (new InboundMail(from!, fromAddress!, to, toAddresses, subject, Field(fields, "text"), Field(fields, "html"), headers, envelope,
            charsets, attachments, MessageIds(Header(parsedHeaders, "Message-ID")).FirstOrDefault(),
            MessageIds(Header(parsedHeaders, "In-Reply-To")).FirstOrDefault(), references), errors);
    }

    /// <summary>The header block's fields (unfolded), in order.</summary>
    public static List<KeyValuePair<string, string>> HeaderBlock(string block)
    {
        var result = new List<KeyValuePair<string, string>>();
        var unfolded = FoldRegex().Replace(block.Replace("\r\n", "\n", StringComparison.Ordinal), " ");
        foreach (var line in unfolded.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !line[..colon].Contains(' ', StringComparison.Ordinal))
            {
                result.Add(new(line[..colon], line[(colon + 1)..].Trim()));
            }
        }

        return result;
    }

    /// <summary>The message ids of a header value (<c>&lt;id&gt;</c> tokens), without brackets.</summary>
    public static List<string> MessageIds(string? value) =>
        value is null ? [] : [.. MessageIdRegex().Matches(value).Select(m => m.Groups[1].Value)];

    /// <summary>The reply-address token of an address <c>reply+{token}@…</c>, if any.</summary>
    public static string? ReplyToken(string address) => ReplyTokenRegex().Match(address) is { Success: true } match ? match.Groups[1].Value : null;

    private static string? Header(List<KeyValuePair<string, string>> headers, string name) =>
        headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static string? Field(IReadOnlyDictionary<string, string> fields, string name) => fields.TryGetValue(name, out var value) ? value : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonDocument? JsonObject(string text)
    {
        try
        {
            var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Address(string text) =>
        MailAddress.TryCreate(text.Trim(), out var address) ? address.Address : null;

    private static IEnumerable<string> Addresses(string text)
    {
        var list = new MailAddressCollection();
        try
        {
            list.Add(text);
        }
        catch (FormatException)
        {
            return [];
        }

        return list.Select(a => a.Address);
    }

    [GeneratedRegex(@"\n[ \t]+")]
    private static partial Regex FoldRegex();

    [GeneratedRegex(@"<([^<>\s]{1,995})>")]
    private static partial Regex MessageIdRegex();

    [GeneratedRegex(@"^reply\+([A-Za-z0-9_-]{16,64})@", RegexOptions.IgnoreCase)]
    private static partial Regex ReplyTokenRegex();
}
