using Comms.Core.Banners;
using Comms.Core.Templates;

namespace Comms.Core.Broadcasts;

/// <summary>
/// Checks a broadcast draft: its shape (400 when the body is not an object; 422 naming the field otherwise) and the
/// Liquid of every channel's subject and body, parsed with the template machinery (<see cref="TemplateSyntax"/>).
/// </summary>
public static class BroadcastValidation
{
    /// <summary>The errors by JSON path (empty when valid), and the parsed audience when it is valid.</summary>
    public static Dictionary<string, string[]> Validate(BroadcastRequest request, out BroadcastAudience? audience)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        audience = null;
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > BroadcastLimits.MaxTitleLength)
        {
            errors["title"] = [$"The title is required, at most {BroadcastLimits.MaxTitleLength} characters."];
        }

        if (request.Audience is not { } audienceElement)
        {
            errors["audience"] = ["The audience is required: {\"allTenants\":true}, {\"tenants\":[...]}, {\"roles\":[...]} or {\"filter\":{...}}."];
        }
        else
        {
            audience = BroadcastAudience.TryParse(audienceElement, errors);
        }

        var channels = request.Channels;
        if (channels is not { Count: > 0 } || channels.Any(c => c is null || !BroadcastChannels.All.Contains(c))
            || channels.Distinct(StringComparer.Ordinal).Count() != channels.Count)
        {
            errors["channels"] = [$"Give one or more distinct channels from: {string.Join(", ", BroadcastChannels.All)}."];
            return errors;
        }

        foreach (var key in request.Content?.Keys ?? Enumerable.Empty<string>())
        {
            if (!channels.Contains(key))
            {
                errors[$"content.{key}"] = ["Content is given only for the selected channels."];
            }
        }

        foreach (var channel in channels)
        {
            var own = request.Content?.GetValueOrDefault(channel);
            Check(errors, own?.Subject is null ? "subject" : $"content.{channel}.subject", own?.Subject ?? request.Subject, BroadcastLimits.MaxSubjectLength);
            Check(errors, own?.Body is null ? "body" : $"content.{channel}.body", own?.Body ?? request.Body, BroadcastLimits.MaxBodyLength);
        }

        if (channels.Contains(BroadcastChannels.Banner))
        {
            if (audience is { IsFilter: true })
            {
                errors["channels"] = ["The banner channel reaches tenants and roles; it cannot use an attribute filter audience."];
            }

            if (request.Banner?.Kind is { } kind && !BannerKinds.All.Contains(kind))
            {
                errors["banner.kind"] = [$"The banner kind is one of: {string.Join(", ", BannerKinds.All)}."];
            }

            if (request.Banner?.Severity is { } severity && !BannerSeverities.All.Contains(severity))
            {
                errors["banner.severity"] = [$"The banner severity is one of: {string.Join(", ", BannerSeverities.All)}."];
            }
        }
        else if (request.Banner is not null)
        {
            errors["banner"] = ["Banner options need the banner channel."];
        }

        return errors;
    }

    private static void Check(Dictionary<string, string[]> errors, string field, string? source, int max)
    {
        if (errors.ContainsKey(field))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(source) || source.Length > max)
        {
            errors[field] = [$"Required, at most {max} characters."];
        }
        else if (TemplateSyntax.LiquidError(source) is { } liquid)
        {
            errors[field] = [liquid];
        }
    }
}
