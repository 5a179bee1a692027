using Lingua;
using Microsoft.Extensions.Options;

namespace Comms.Core.ContextMail;

/// <summary>
/// Detects the language of a mail (SPEC S8) with Lingua, as a BCP 47 tag (<c>de</c>, <c>en</c>), or <c>und</c>
/// when it is not sure: too little text, or two languages too close to call. The models load lazily, once, and the
/// detector is thread-safe, so one instance serves the whole process.
/// </summary>
public sealed class MailLanguageDetector
{
    public const string Undetermined = "und";

    /// <summary>Fewer letters than this is not enough to tell a language by.</summary>
    private const int MinimumLetters = 8;

    private readonly Lazy<LanguageDetector> _detector;

    public MailLanguageDetector(IOptions<ContextMailOptions> options)
    {
        var languages = options.Value.DetectLanguages
            .Select(code => Enum.TryParse<IsoCode6391>(code, ignoreCase: true, out var iso) ? LanguageInfo.GetByIsoCode6391(iso) : (Language?)null)
            .OfType<Language>()
            .Distinct()
            .ToArray();
        if (languages.Length < 2)
        {
            throw new OptionsValidationException(ContextMailOptions.SectionName, typeof(ContextMailOptions),
                [$"{ContextMailOptions.SectionName}:DetectLanguages must name at least two known ISO 639-1 languages."]);
        }

        _detector = new Lazy<LanguageDetector>(
            () => LanguageDetectorBuilder.FromLanguages(languages).WithMinimumRelativeDistance(0.1).Build(),
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The language of a mail's subject and body together (the body weighs more: it is longer).</summary>
    public string Detect(string subject, string body)
    {
        var text = string.IsNullOrWhiteSpace(subject) ? body : subject + "\n" + body;
        if (text.Count(char.IsLetter) < MinimumLetters)
        {
            return Undetermined;
        }

        var language = _detector.Value.DetectLanguageOf(text);
        return language == Language.Unknown ? Undetermined : language.IsoCode6391().ToString().ToLowerInvariant();
    }
}
