using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Comms.Api.Input;
using Comms.Api.OpenApi;
using Comms.Core.SupportInbox;
using Comms.Realtime;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Comms.Api.SupportInbox;

/// <summary>
/// <c>POST /webhooks/sendgrid/inbound</c>: SendGrid Inbound Parse posts every mail to the platform's inbound address here,
/// as <c>multipart/form-data</c> (<c>from</c>, <c>to</c>, <c>subject</c>, <c>text</c>, <c>html</c>, <c>headers</c>,
/// <c>envelope</c>, <c>charsets</c>, <c>attachments</c>, <c>attachment-info</c> and the files <c>attachmentN</c>), with
/// HTTP basic auth from the URL (<c>https://sendgrid:{password}@…</c>, password <c>Comms:Inbound:SendGrid:Password</c>,
/// compared in constant time; unset: every post is 401). Each text field is decoded in the character set SendGrid names
/// for it in <c>charsets</c>. Attachments' content is read past and not kept: only their metadata. At most
/// <see cref="MaxBodyBytes"/> (413); a malformed post is 400 naming the field (SendGrid does not retry 4xx). Like the
/// other provider webhooks, it is not in the OpenAPI document.
/// </summary>
public static partial class SendGridInboundApi
{
    public const long MaxBodyBytes = 10 * 1024 * 1024;
    private const string LogCategory = "Comms.Api.SupportInbox";

    static SendGridInboundApi() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static IEndpointRouteBuilder MapSendGridInboundApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/sendgrid/inbound", HandleAsync).AllowAnonymous().ExcludeFromDescription().DisableAntiforgery()
            .WithBodySizeLimit(MaxBodyBytes);
        return app;
    }

    public static async Task<IResult> HandleAsync(
        HttpContext http, IOptions<InboundMailOptions> options, SupportInboxService inbox, LivePushes pushes, ILoggerFactory logs,
        CancellationToken cancellationToken)
    {
        var logger = logs.CreateLogger(LogCategory);
        if (!Authorized(http.Request, options.Value.SendGrid.Password))
        {
            LogRefused(logger, string.IsNullOrEmpty(options.Value.SendGrid.Password) ? "no Comms:Inbound:SendGrid:Password is configured" : "wrong basic auth");
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"comms-inbound\", charset=\"UTF-8\"";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, type: ProblemTypes.Unauthorized,
                title: "The inbound webhook's credentials are missing or wrong.",
                detail: "Post with HTTP basic auth: user 'sendgrid' and the password of Comms:Inbound:SendGrid:Password (in the Inbound Parse URL). Nothing was stored.");
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return Invalid("Content-Type", "SendGrid Inbound Parse posts multipart/form-data with a boundary.");
        }

        Dictionary<string, byte[]> fields;
        Dictionary<string, (string? Filename, string? Type, long Size)> files;
        try
        {
            (fields, files) = await ReadAsync(http.Request.Body, boundary, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException)
        {
            return Invalid("body", "Not a well-formed multipart/form-data body.");
        }

        var texts = Decode(fields, out var badCharsets);
        if (badCharsets)
        {
            return Invalid("charsets", "Must be a JSON object (field name → character set).");
        }

        if (texts.FirstOrDefault(f => f.Value.Contains('\0', StringComparison.Ordinal)) is { Key: { } nul })
        {
            return Invalid(nul, "NUL characters (U+0000) are not allowed.");
        }

        var (mail, errors) = InboundMailParser.Parse(texts, files);
        if (mail is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The inbound mail is malformed; nothing was stored.", type: ProblemTypes.Validation);
        }

        var receipt = await inbox.ReceiveAsync(mail, cancellationToken);
        LogReceived(logger, receipt.ThreadId, receipt.ThreadedBy, receipt.Duplicate);
        if (!receipt.Duplicate)
        {
            pushes.InboxChanged(receipt.ThreadId, "received");
        }

        return TypedResults.Ok(receipt);
    }

    /// <summary>Basic auth with user <c>sendgrid</c> and the configured password, compared in constant time.</summary>
    public static bool Authorized(HttpRequest request, string? password)
    {
        if (string.IsNullOrEmpty(password) || !System.Net.Http.Headers.AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return false;
        }

        string presented;
        try
        {
            presented = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(SendGridInboundOptions.UserName + ":" + password));
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expected);
    }

    private static async Task<(Dictionary<string, byte[]> Fields, Dictionary<string, (string? Filename, string? Type, long Size)> Files)> ReadAsync(
        Stream body, string boundary, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var files = new Dictionary<string, (string?, string?, long)>(StringComparer.Ordinal);
        var reader = new MultipartReader(boundary, body) { HeadersLengthLimit = 64 * 1024, BodyLengthLimit = MaxBodyBytes };
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                || HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
            {
                throw new InvalidDataException("A part without a form-data name.");
            }

            if (disposition.IsFileDisposition())
            {
                // An attachment: only how big it is.
                long size = 0;
                var buffer = new byte[16 * 1024];
                int read;
                while ((read = await section.Body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    size += read;
                }

                var filename = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                files[name] = (filename, section.ContentType, size);
                continue;
            }

            using var value = new MemoryStream();
            await section.Body.CopyToAsync(value, cancellationToken);
            fields[name] = value.ToArray();
        }

        return (fields, files);
    }

    /// <summary>The fields as text, each in the character set <c>charsets</c> names for it (UTF-8 otherwise).</summary>
    private static Dictionary<string, string> Decode(Dictionary<string, byte[]> fields, out bool badCharsets)
    {
        badCharsets = false;
        var charsets = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fields.TryGetValue("charsets", out var raw))
        {
            try
            {
                using var document = JsonDocument.Parse(raw);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    badCharsets = true;
                }
                else
                {
                    foreach (var property in document.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
                    {
                        charsets[property.Name] = property.Value.GetString()!;
                    }
                }
            }
            catch (JsonException)
            {
                badCharsets = true;
            }
        }

        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, bytes) in fields)
        {
            texts[name] = EncodingOf(charsets.GetValueOrDefault(name)).GetString(bytes);
        }

        return texts;
    }

    private static Encoding EncodingOf(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset))
        {
            return Encoding.UTF8;
        }

        try
        {
            return Encoding.GetEncoding(charset.Trim());
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8;
        }
    }

    private static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] },
            title: "The inbound mail is malformed; nothing was stored.", detail: $"{field}: {message}", type: ProblemTypes.Validation);

    [LoggerMessage(1, LogLevel.Warning, "Refused a SendGrid inbound post: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(2, LogLevel.Information, "Inbound mail stored in thread {ThreadId} (threaded by {ThreadedBy}, duplicate {Duplicate})")]
    private static partial void LogReceived(ILogger logger, Guid threadId, string threadedBy, bool duplicate);
}
