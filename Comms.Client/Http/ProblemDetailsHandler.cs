using System.Text.Json;

namespace Comms.Client.Http;

/// <summary>Turns every problem-details answer (<c>application/problem+json</c>) into a <see cref="CommsProblemException"/>.</summary>
internal sealed class ProblemDetailsHandler : DelegatingHandler
{
    public const string MediaType = "application/problem+json";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode || !string.Equals(response.Content.Headers.ContentType?.MediaType, MediaType, StringComparison.OrdinalIgnoreCase))
        {
            return response;
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            throw Parse(response, body);
        }
    }

    internal static CommsProblemException Parse(HttpResponseMessage response, byte[] body)
    {
        var status = (int)response.StatusCode;
        var retryAfter = TransientRetryHandler.RetryAfter(response, TimeProvider.System);
        string type = "about:blank";
        string? title = null, detail = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var extensions = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var member in document.RootElement.EnumerateObject())
                {
                    switch (member.Name)
                    {
                        case "type" when member.Value.ValueKind == JsonValueKind.String:
                            type = member.Value.GetString()!;
                            break;
                        case "title" when member.Value.ValueKind == JsonValueKind.String:
                            title = member.Value.GetString();
                            break;
                        case "detail" when member.Value.ValueKind == JsonValueKind.String:
                            detail = member.Value.GetString();
                            break;
                        case "status":
                            break;
                        case "errors" when member.Value.ValueKind == JsonValueKind.Object:
                            foreach (var field in member.Value.EnumerateObject())
                            {
                                errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                                    ? field.Value.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : m.GetRawText()).ToArray()
                                    : [field.Value.ToString()];
                            }

                            break;
                        default:
                            extensions[member.Name] = member.Value.Clone();
                            break;
                    }
                }
            }
        }
        catch (JsonException)
        {
            detail = "The answer claimed to be problem details but is not JSON.";
        }

        var exception = new CommsProblemException(type, status, title, detail, errors, extensions, retryAfter)
        {
            ResponseHeaders = response.Headers.Concat(response.Content.Headers)
                .ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase),
        };
        return exception;
    }
}
