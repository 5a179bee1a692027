using System.Text.RegularExpressions;
using Comms.Core.Messages;

namespace Comms.Core.Templates;

/// <summary>
/// Checks a template draft when it is saved, never at send time: the shape of the key and the draft
/// (answered as 400), then Liquid syntax and the variables schema (answered as 422, see
/// <see cref="TemplateSyntax"/>). Errors are keyed by the JSON field they concern, e.g.
/// <c>content.subject</c> or <c>variants[1].content.html</c>.
/// </summary>
public static partial class TemplateValidator
{
    public const int MaxLineLength = 2_000;
    public const int MaxFieldLength = 100_000;
    public const int MaxDataEntries = 50;
    public const int MaxTotalLength = 512 * 1024;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex CategoryPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex VariantKeyPattern();

    /// <summary>Checks the (name, channel, locale) of a route; on success <paramref name="key"/> has the normalised locale.</summary>
    public static Dictionary<string, string[]> ValidateKey(string tenantId, string? name, string? channel, string? locale, out TemplateKey? key)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            Add(errors, "name", "The template name must be 1-128 characters of letters, digits and . _ : -, starting with a letter or digit.");
        }

        if (!Channel.IsKnown(channel))
        {
            Add(errors, "channel", $"Unknown channel '{channel}'; use one of: {string.Join(", ", Channel.All)}.");
        }

        var normalized = LocaleChain.Normalize(locale);
        if (normalized is null || normalized.Length > 35)
        {
            Add(errors, "locale", $"'{locale}' is not a BCP 47 language tag such as 'en-US' or 'de'.");
        }

        key = errors.Count == 0 ? new TemplateKey(tenantId, name!, channel!, normalized!) : null;
        return errors;
    }

    /// <summary>The shape of a draft for a known channel: required fields, lengths, category format, variants.</summary>
    public static Dictionary<string, string[]> ValidateShape(string channel, TemplateDraftInput? draft)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (draft is null)
        {
            Add(errors, "body", "The request body must be a JSON object with the draft's content.");
            return errors;
        }

        if (draft.Category is not null && !CategoryPattern().IsMatch(draft.Category))
        {
            Add(errors, "category", "The category must be 1-64 characters of lower-case letters, digits, _ and -.");
        }

        if (draft.Content is null)
        {
            Add(errors, "content", $"The content is required; for '{channel}' give {Needs(channel)}.");
        }
        else
        {
            CheckContent(errors, channel, draft.Content, "content.");
        }

        if (draft.VariablesSchema is { Length: > 65_536 })
        {
            Add(errors, "variablesSchema", "The variables schema may be at most 64 KiB.");
        }

        CheckVariants(errors, channel, draft.Variants);
        var total = new[] { draft.Content }.Concat((draft.Variants ?? []).Select(v => v?.Content))
            .Sum(content => content is null ? 0L : TemplateSyntax.Fields(content).Sum(f => (long)f.Field.Length + f.Source.Length));
        if (total > MaxTotalLength)
        {
            Add(errors, "content", $"The content and variants together may be at most {MaxTotalLength / 1024} KiB of text; this draft has {total / 1024} KiB.");
        }

        return errors;
    }

    /// <summary>The checked experiment arms as stored on the template.</summary>
    public static List<TemplateVariant> ToVariants(IReadOnlyList<TemplateVariantInput>? inputs) =>
        (inputs ?? []).Select(v => new TemplateVariant { Key = v.Key!, Weight = v.Weight ?? 0, Content = v.Content ?? new() }).ToList();

    /// <summary>What a channel's content must have, for messages.</summary>
    public static string Needs(string channel) => channel switch
    {
        Channel.Email => "'subject' and 'html' or 'text'",
        Channel.InApp => "'title' (and optionally 'body' in Markdown, 'link', 'icon', 'threadKey')",
        Channel.Push => "'title' or 'body'",
        Channel.Sms => "'text'",
        Channel.Webhook => "'json'",
        _ => "its fields",
    };

    private static void CheckContent(Dictionary<string, string[]> errors, string channel, TemplateContent content, string prefix)
    {
        foreach (var (field, missing, message) in RequiredFields(channel, content))
        {
            if (missing)
            {
                Add(errors, prefix + field, message);
            }
        }

        foreach (var (field, value) in TemplateSyntax.Fields(content))
        {
            var limit = field is "subject" or "title" or "link" or "icon" or "collapseKey" or "threadKey" ? MaxLineLength : MaxFieldLength;
            if (value.Length > limit)
            {
                Add(errors, prefix + field, $"'{field}' may be at most {limit} characters.");
            }
        }

        if (content.Data is { } data)
        {
            if (data.Count > MaxDataEntries)
            {
                Add(errors, prefix + "data", $"'data' may have at most {MaxDataEntries} entries.");
            }

            foreach (var key in data.Keys.Where(k => string.IsNullOrWhiteSpace(k) || k.Length > 128))
            {
                Add(errors, prefix + "data", $"Data keys must be 1-128 characters; '{key}' is not.");
            }
        }
    }

    private static void CheckVariants(Dictionary<string, string[]> errors, string channel, IReadOnlyList<TemplateVariantInput>? variants)
    {
        if (variants is not { Count: > 0 })
        {
            return;
        }

        if (variants.Count > Experiments.MaxVariants)
        {
            Add(errors, "variants", $"A template may have at most {Experiments.MaxVariants} variants.");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long total = 0;
        for (var i = 0; i < variants.Count; i++)
        {
            var prefix = $"variants[{i}].";
            var variant = variants[i];
            if (variant is null)
            {
                Add(errors, $"variants[{i}]", "A variant must be an object with 'key', 'weight' and 'content'.");
                continue;
            }

            if (variant.Key is null || !VariantKeyPattern().IsMatch(variant.Key))
            {
                Add(errors, prefix + "key", "A variant key must be 1-64 characters of letters, digits, _ and -.");
            }
            else if (!seen.Add(variant.Key))
            {
                Add(errors, prefix + "key", $"The variant key '{variant.Key}' is used twice; keys must be unique.");
            }

            if (variant.Weight is not { } weight || weight is < 0 or > Experiments.MaxWeight)
            {
                Add(errors, prefix + "weight", $"A variant weight must be a whole number from 0 to {Experiments.MaxWeight}.");
            }
            else
            {
                total += weight;
            }

            if (variant.Content is null)
            {
                Add(errors, prefix + "content", $"A variant needs its own content; for '{channel}' give {Needs(channel)}.");
            }
            else
            {
                CheckContent(errors, channel, variant.Content, prefix + "content.");
            }
        }

        if (total <= 0 && !errors.Keys.Any(k => k.EndsWith(".weight", StringComparison.Ordinal)))
        {
            Add(errors, "variants", "At least one variant needs a positive weight.");
        }
    }

    /// <summary>What a channel's content must have (see <see cref="Needs"/>): the field an error is keyed by, whether it is missing, and the error.</summary>
    private static (string Field, bool Missing, string Message)[] RequiredFields(string channel, TemplateContent content) => channel switch
    {
        Channel.Email =>
        [
            ("subject", IsBlank(content.Subject), "Email templates need a subject."),
            ("html", IsBlank(content.Html) && IsBlank(content.Text), "Email templates need 'html' or 'text' (or both)."),
        ],
        Channel.InApp => [("title", IsBlank(content.Title), "In-app templates need a title.")],
        Channel.Push => [("title", IsBlank(content.Title) && IsBlank(content.Body), "Push templates need a 'title' or a 'body'.")],
        Channel.Sms => [("text", IsBlank(content.Text), "SMS templates need a text.")],
        Channel.Webhook => [("json", IsBlank(content.Json), "Webhook templates need a JSON body ('json').")],
        _ => [],
    };

    private static bool IsBlank(string? value) => string.IsNullOrWhiteSpace(value);

    internal static void Add(Dictionary<string, string[]> errors, string field, string message) =>
        errors[field] = [.. errors.GetValueOrDefault(field, []), message];
}
