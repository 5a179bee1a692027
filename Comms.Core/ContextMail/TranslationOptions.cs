using System.ComponentModel.DataAnnotations;

namespace Comms.Core.ContextMail;

/// <summary>
/// <c>Comms:Translation</c>: the HTTP translation provider of in-context mail (SPEC S8). <see cref="Provider"/> is
/// <c>none</c> (the default: a mail asked in another language is answered in its original, and says so),
/// <c>libretranslate</c> (<c>POST {BaseUrl}/translate</c>) or <c>deepl</c> (<c>POST {BaseUrl}/v2/translate</c>).
/// <see cref="ApiKey"/> is a secret: never logged nor echoed.
/// </summary>
public sealed class TranslationOptions : IValidatableObject
{
    public const string SectionName = "Comms:Translation";

    public const string None = "none";
    public const string LibreTranslate = "libretranslate";
    public const string DeepL = "deepl";

    [Required]
    public string Provider { get; set; } = None;

    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    public bool Enabled => !string.Equals(Provider, None, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var provider = Provider.ToLowerInvariant();
        if (provider is not (None or LibreTranslate or DeepL))
        {
            yield return new ValidationResult(
                $"{SectionName}:Provider must be one of: {None}, {LibreTranslate}, {DeepL}.", [nameof(Provider)]);
        }
        else if (provider != None && !Uri.TryCreate(BaseUrl, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"{SectionName}:BaseUrl must be an absolute URL when a provider is set.", [nameof(BaseUrl)]);
        }
        else if (provider == DeepL && string.IsNullOrEmpty(ApiKey))
        {
            yield return new ValidationResult($"{SectionName}:ApiKey is required for DeepL.", [nameof(ApiKey)]);
        }
    }
}
