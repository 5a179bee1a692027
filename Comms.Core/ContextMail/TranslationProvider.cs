using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Comms.Core.ContextMail;

/// <summary>A mail's subject and body in another language, and the provider that made them.</summary>
public sealed record TranslatedText(string Subject, string Body, string Provider);

/// <summary>
/// The HTTP translation provider of <see cref="TranslationOptions"/>: the LibreTranslate or the DeepL wire format,
/// subject and body in one request. Throws <see cref="TranslationFailedException"/> when the provider cannot answer;
/// the caller answers the original then.
/// </summary>
public sealed class TranslationProvider(IHttpClientFactory clients, IOptions<TranslationOptions> options)
{
    /// <summary>The name of its <see cref="HttpClient"/> (<c>AddHttpClient(ClientName)</c>).</summary>
    public const string ClientName = "translation";

    public bool Enabled => options.Value.Enabled;

    public string Name => options.Value.Provider.ToLowerInvariant();

    public async Task<TranslatedText> TranslateAsync(string subject, string body, string sourceLanguage, string targetLanguage,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        try
        {
            var texts = Name == TranslationOptions.DeepL
                ? await DeepLAsync(settings, subject, body, sourceLanguage, targetLanguage, timeout.Token)
                : await LibreTranslateAsync(settings, subject, body, sourceLanguage, targetLanguage, timeout.Token);
            if (texts is not { Length: 2 } || texts[0] is null || texts[1] is null)
            {
                throw new TranslationFailedException("The provider's answer has no translation of both the subject and the body.");
            }

            return new TranslatedText(texts[0]!, texts[1]!, Name);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or NotSupportedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new TranslationFailedException(ex is OperationCanceledException ? "The provider did not answer in time." : ex.GetType().Name, ex);
        }
    }

    private async Task<string?[]?> LibreTranslateAsync(TranslationOptions settings, string subject, string body, string source, string target,
        CancellationToken cancellationToken)
    {
        var request = new LibreRequest([subject, body], source == MailLanguageDetector.Undetermined ? "auto" : Primary(source), Primary(target),
            "text", string.IsNullOrEmpty(settings.ApiKey) ? null : settings.ApiKey);
        using var response = await clients.CreateClient(ClientName).PostAsJsonAsync(new Uri(settings.BaseUrl!.TrimEnd('/') + "/translate"), request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<LibreResponse>(cancellationToken);
        return answer?.TranslatedText;
    }

    private async Task<string?[]?> DeepLAsync(TranslationOptions settings, string subject, string body, string source, string target,
        CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.BaseUrl!.TrimEnd('/') + "/v2/translate"))
        {
            Content = JsonContent.Create(new DeepLRequest([subject, body], target.ToUpperInvariant(),
                source == MailLanguageDetector.Undetermined ? null : Primary(source).ToUpperInvariant())),
        };
        message.Headers.TryAddWithoutValidation("Authorization", "DeepL-Auth-Key " + settings.ApiKey);
        using var response = await clients.CreateClient(ClientName).SendAsync(message, cancellationToken);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<DeepLResponse>(cancellationToken);
        return answer?.Translations?.Select(t => t.Text).ToArray();
    }

    private static string Primary(string tag) => tag.Split('-')[0].ToLowerInvariant();

    private sealed record LibreRequest(
        [property: JsonPropertyName("q")] string[] Q,
        [property: JsonPropertyName("source")] string Source,
        [property: JsonPropertyName("target")] string Target,
        [property: JsonPropertyName("format")] string Format,
        [property: JsonPropertyName("api_key"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ApiKey);

    private sealed record LibreResponse([property: JsonPropertyName("translatedText")] string?[]? TranslatedText);

    private sealed record DeepLRequest(
        [property: JsonPropertyName("text")] string[] Text,
        [property: JsonPropertyName("target_lang")] string TargetLang,
        [property: JsonPropertyName("source_lang"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourceLang);

    private sealed record DeepLResponse([property: JsonPropertyName("translations")] DeepLTranslation[]? Translations);

    private sealed record DeepLTranslation([property: JsonPropertyName("text")] string? Text);
}

/// <summary>The translation provider could not translate (down, slow, or an answer it cannot use).</summary>
public sealed class TranslationFailedException(string message, Exception? inner = null) : Exception(message, inner);
