using System.Security.Claims;
using Comms.Api.Auth;
using Comms.Core.Templates;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Comms.Api.Templates;

/// <summary>What the template handlers share: reading the route's key, the actor, and answering problems.</summary>
internal static class TemplateHttp
{
    /// <summary>
    /// The actor recorded in <c>createdBy</c>, <c>submittedBy</c> and <c>approvedBy</c>: the API key's id,
    /// namespaced so that operators of the admin console can share the fields. Two keys never share it,
    /// which is what the second-approver rule compares.
    /// </summary>
    public static string Actor(ClaimsPrincipal user) => "api-key:" + user.ApiKeyId().ToString("D");

    /// <summary>The (name, channel, locale) of the route for the caller's tenant, or the 400 naming what is wrong.</summary>
    public static TemplateKey? Key(HttpContext http, string name, string channel, string locale, out ValidationProblem? problem)
    {
        var errors = TemplateValidator.ValidateKey(http.User.TenantId(), name, channel, locale, out var key);
        problem = errors.Count == 0
            ? null
            : TypedResults.ValidationProblem(errors, title: "The template's name, channel or locale is invalid.", type: TemplateCodes.Validation);
        return key;
    }

    public static ProblemHttpResult Problem(TemplateProblem problem)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (problem.Field is not null)
        {
            extensions["field"] = problem.Field;
        }

        if (problem.Errors is not null)
        {
            extensions["errors"] = problem.Errors;
        }

        return TypedResults.Problem(statusCode: problem.Status, type: problem.Code, title: problem.Title, detail: problem.Detail,
            extensions: extensions);
    }

    public static string PathOf(TemplateKey key) =>
        $"/v1/templates/{Uri.EscapeDataString(key.Name)}/{key.Channel}/{key.Locale}";

    public static string PathOf(Template template) =>
        PathOf(new TemplateKey(template.TenantId, template.Name, template.Channel, template.Locale))
        + (template.Version is { } version ? $"/versions/{version}" : "/draft");
}
