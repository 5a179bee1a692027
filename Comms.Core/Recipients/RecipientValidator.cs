using System.Text;
using System.Text.Json;
using Comms.Core.Preferences;
using Comms.Core.Templates;

namespace Comms.Core.Recipients;

/// <summary>Checks and normalises a recipient upsert; errors are keyed by the JSON field they concern.</summary>
public static class RecipientValidator
{
    public const int MaxAttributesBytes = 16 * 1024;
    public const int MaxRoles = 50;
    public const int MaxNameLength = 200;

    public static Dictionary<string, string[]> Validate(
        RecipientRequest? request, string? routeExternalId, IReadOnlyDictionary<string, CategoryInfo> categories,
        out RecipientChanges? changes)
    {
        changes = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];

        if (request is null)
        {
            Add("body", "The request body must be a JSON object describing the recipient.");
            return errors;
        }

        var externalId = routeExternalId ?? request.ExternalId;
        if (routeExternalId is not null && request.ExternalId is not null && request.ExternalId != routeExternalId)
        {
            Add("externalId", "The externalId in the body must match the one in the URL.");
        }
        else if (externalId is null)
        {
            Add("externalId", "externalId is required: the id your product knows this person by.");
        }
        else if (!RecipientFormats.IsExternalId(externalId))
        {
            Add("externalId", $"The externalId must be 1-{RecipientFormats.MaxExternalIdLength} printable characters without '/' or surrounding spaces.");
        }

        var name = request.Name?.Trim();
        if (name is not null && (name.Length > MaxNameLength || RecipientFormats.HasControlCharacters(name)))
        {
            Add("name", $"The name must be at most {MaxNameLength} characters without control characters.");
        }

        var email = Normalize(request.Email, RecipientFormats.NormalizeEmail, "email",
            "The email must be a plain address such as 'ada@example.com'.", Add);
        var phone = Normalize(request.Phone, RecipientFormats.NormalizePhone, "phone",
            "The phone must be in E.164 format: '+', the country code and the number, e.g. '+4915112345678'.", Add);
        var locale = Normalize(request.Locale, l => l.Length <= 35 ? LocaleChain.Normalize(l) : null, "locale",
            "The locale must be a BCP 47 language tag such as 'en-US' or 'de'.", Add);
        var timeZone = Normalize(request.TimeZone, tz => TimeZones.TryFind(tz, out _) ? tz : null, "timeZone",
            "The timeZone must be an IANA time zone such as 'Europe/Berlin' or 'UTC'.", Add);

        var roles = ValidateRoles(request.Roles, Add);
        var attributes = ValidateAttributes(request.Attributes, Add);
        var quietHours = QuietHoursSettings.Validate(request.QuietHours, categories, "quietHours.", Add);

        if (errors.Count == 0)
        {
            changes = new RecipientChanges(externalId!, name, email, phone, locale, timeZone, roles, attributes, quietHours);
        }

        return errors;
    }

    private static string? Normalize(string? value, Func<string, string?> normalize, string field, string message, Action<string, string> add)
    {
        if (value is null)
        {
            return null;
        }

        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            return "";
        }

        var normalized = normalize(trimmed);
        if (normalized is null)
        {
            add(field, $"{RecipientFormats.Quote(value)} is not valid. {message}");
        }

        return normalized;
    }

    private static string[]? ValidateRoles(List<string>? roles, Action<string, string> add)
    {
        if (roles is null)
        {
            return null;
        }

        if (roles.Count > MaxRoles)
        {
            add("roles", $"At most {MaxRoles} roles.");
            return null;
        }

        for (var i = 0; i < roles.Count; i++)
        {
            if (!RecipientFormats.IsSlug(roles[i]))
            {
                add($"roles[{i}]", $"{RecipientFormats.Quote(roles[i])} is not a role: use 1-64 lower-case letters, digits, _ and -.");
            }
        }

        return [.. roles.Distinct(StringComparer.Ordinal)];
    }

    internal static string? ValidateAttributes(JsonElement? attributes, Action<string, string> add)
    {
        if (attributes is not { ValueKind: not JsonValueKind.Undefined } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            add("attributes", "The attributes must be a JSON object, e.g. {\"plan\":\"pro\"}.");
            return null;
        }

        var raw = element.GetRawText();
        var size = Encoding.UTF8.GetByteCount(raw);
        if (size > MaxAttributesBytes)
        {
            add("attributes", $"The attributes are {size} bytes; the limit is {MaxAttributesBytes} bytes.");
            return null;
        }

        if (FindUnstorable(element, "attributes") is { } problem)
        {
            add(problem.Path, problem.Message);
            return null;
        }

        return raw;
    }

    /// <summary>PostgreSQL's jsonb cannot hold NUL characters, lone surrogates or numbers beyond its range.</summary>
    private static (string Path, string Message)? FindUnstorable(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (NameOf(property) is not { } name || !IsStorableString(name))
                    {
                        return (path, "Attribute names must not contain NUL characters or unpaired surrogates.");
                    }

                    if (FindUnstorable(property.Value, $"{path}.{name}") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindUnstorable(item, $"{path}[{index++}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.String:
                return IsStorableString(element) ? null : (path, "Text must not contain NUL characters or unpaired surrogates.");
            case JsonValueKind.Number:
                return element.TryGetDouble(out var number) && double.IsFinite(number)
                    ? null
                    : (path, "Numbers must be within the range of a double.");
            default:
                return null;
        }
    }

    private static string? NameOf(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool IsStorableString(JsonElement element)
    {
        try
        {
            return IsStorableString(element.GetString()!);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsStorableString(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0' || char.IsLowSurrogate(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
        }

        return true;
    }
}
