using System.Text.RegularExpressions;
using Comms.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Comms.Core.ContextMail;

/// <summary>How a mail asked in a language was answered (<c>translation.status</c>).</summary>
public static class TranslationStatus
{
    /// <summary>Translated (by the provider now, or from the cache).</summary>
    public const string Translated = "translated";

    /// <summary>The mail is in that language already: the original.</summary>
    public const string Original = "original_language";

    /// <summary>No translation provider is configured: the original.</summary>
    public const string NotConfigured = "not_configured";

    /// <summary>The provider could not translate now: the original (asking again tries again).</summary>
    public const string Unavailable = "unavailable";
}

/// <summary>The answer to "this mail in that language".</summary>
public sealed record MailTranslation(string Language, string Status, string? Subject, string? Body, string? Provider);

/// <summary>
/// Translations of mail (SPEC S8), cached per (mail, language) in <c>context_mail_translations</c>: the provider is
/// asked once per language, and every recipient reading in that language gets the cached one. Without a provider, or
/// when it fails, the original is answered and the status says why — reading a mail never fails because of it.
/// </summary>
public sealed partial class MailTranslations(
    IDbContextFactory<CommsDbContext> contexts, TranslationProvider provider, TimeProvider time, ILogger<MailTranslations> logger)
{
    /// <summary>A language tag: a 2–3 letter language, then optional subtags (<c>de</c>, <c>pt-BR</c>, <c>zh-Hant</c>).</summary>
    [GeneratedRegex("^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,2}$")]
    private static partial Regex LanguageTag();

    public static bool IsLanguageTag(string? value) => value is { Length: <= 35 } && LanguageTag().IsMatch(value);

    /// <summary>The canonical spelling of a tag: language lower case, a region upper case, a script title case.</summary>
    public static string Canonical(string tag)
    {
        var parts = tag.Split('-');
        parts[0] = parts[0].ToLowerInvariant();
        for (var i = 1; i < parts.Length; i++)
        {
            parts[i] = parts[i].Length == 2 ? parts[i].ToUpperInvariant()
                : parts[i].Length == 4 ? char.ToUpperInvariant(parts[i][0]) + parts[i][1..].ToLowerInvariant()
                : parts[i].ToLowerInvariant();
        }

        return string.Join('-', parts);
    }

    public async Task<MailTranslation> TranslateAsync(ContextMailMessage mail, string language, CancellationToken cancellationToken)
    {
        var target = Canonical(language);
        if (string.Equals(target.Split('-')[0], mail.Language.Split('-')[0], StringComparison.OrdinalIgnoreCase))
        {
            return new MailTranslation(target, TranslationStatus.Original, null, null, null);
        }

        if (!provider.Enabled)
        {
            return new MailTranslation(target, TranslationStatus.NotConfigured, null, null, null);
        }

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var cached = await db.Set<ContextMailTranslation>().AsNoTracking()
                .FirstOrDefaultAsync(t => t.MailId == mail.Id && t.Language == target, cancellationToken);
            if (cached is not null)
            {
                return new MailTranslation(target, TranslationStatus.Translated, cached.Subject, cached.Body, cached.Provider);
            }
        }

        TranslatedText translated;
        try
        {
            translated = await provider.TranslateAsync(mail.Subject, mail.Body, mail.Language, target, cancellationToken);
        }
        catch (TranslationFailedException ex)
        {
            LogFailed(logger, provider.Name, target, ex.Message);
            return new MailTranslation(target, TranslationStatus.Unavailable, null, null, null);
        }

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            // Two first readers at once both translate; the first row stays (ON CONFLICT DO NOTHING).
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO context_mail_translations (mail_id, language, subject, body, provider, created_at)
                VALUES ({mail.Id}, {target}, {translated.Subject}, {translated.Body}, {translated.Provider}, {time.GetUtcNow()})
                ON CONFLICT (mail_id, language) DO NOTHING
                """, cancellationToken);
        }

        return new MailTranslation(target, TranslationStatus.Translated, translated.Subject, translated.Body, translated.Provider);
    }

    [LoggerMessage(1, LogLevel.Warning, "Translation provider {Provider} could not translate a mail into {Language}: {Problem}")]
    private static partial void LogFailed(ILogger logger, string provider, string language, string problem);
}
