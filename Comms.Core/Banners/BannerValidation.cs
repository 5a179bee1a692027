using Comms.Core.Recipients;

namespace Comms.Core.Banners;

/// <summary>Validation of banner templates and activations, naming the JSON fields at fault.</summary>
public static class BannerValidation
{
    public static Dictionary<string, string[]> Template(BannerTemplateRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request is null)
        {
            errors[""] = ["A JSON body is required."];
            return errors;
        }

        if (request.Kind is null || !BannerKinds.All.Contains(request.Kind, StringComparer.Ordinal))
        {
            errors["kind"] = [$"kind must be one of: {string.Join(", ", BannerKinds.All)}."];
        }

        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > BannerLimits.MaxTitleLength || RecipientFormats.HasControlCharacters(request.Title))
        {
            errors["title"] = [$"title is required: 1-{BannerLimits.MaxTitleLength} characters on one line."];
        }

        if (string.IsNullOrWhiteSpace(request.Body) || request.Body.Length > BannerLimits.MaxBodyLength)
        {
            errors["body"] = [$"body is required: Markdown of 1-{BannerLimits.MaxBodyLength} characters."];
        }

        if (request.Link is not null
            && (request.Link.Length > BannerLimits.MaxLinkLength || !Uri.TryCreate(request.Link, UriKind.Absolute, out var uri)
                || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host)))
        {
            errors["link"] = [$"link must be an absolute https or http URL of at most {BannerLimits.MaxLinkLength} characters."];
        }

        if (request.Severity is not null && !BannerSeverities.All.Contains(request.Severity, StringComparer.Ordinal))
        {
            errors["severity"] = [$"severity must be one of: {string.Join(", ", BannerSeverities.All)}."];
        }

        return errors;
    }

    public static Dictionary<string, string[]> Activation(BannerActivationRequest? request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request is null)
        {
            errors[""] = ["A JSON body is required."];
            return errors;
        }

        if (request.TemplateId is null || request.TemplateId == Guid.Empty)
        {
            errors["templateId"] = ["templateId is required: the id of a banner template."];
        }

        if (request.StartsAt is null)
        {
            errors["startsAt"] = ["startsAt is required (RFC 3339 date-time)."];
        }
        else if (request.EndsAt is { } ends && ends <= request.StartsAt)
        {
            errors["endsAt"] = ["endsAt must be after startsAt."];
        }

        Audience(errors, "tenants", request.Tenants, v => v.Length is > 0 and <= 64 && !RecipientFormats.HasControlCharacters(v));
        Audience(errors, "roles", request.Roles, RecipientFormats.IsSlug);
        return errors;
    }

    private static void Audience(Dictionary<string, string[]> errors, string field, List<string>? values, Func<string, bool> valid)
    {
        if (values is null)
        {
            return;
        }

        if (values.Count > BannerLimits.MaxAudience)
        {
            errors[field] = [$"{field} has at most {BannerLimits.MaxAudience} entries."];
            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is null || !valid(values[i]))
            {
                errors[$"{field}[{i}]"] = [field == "roles" ? "A role is a lower-case slug." : "A tenant id is 1-64 printable characters."];
            }
        }
    }
}
