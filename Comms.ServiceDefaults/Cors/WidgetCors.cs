using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Comms.ServiceDefaults.Cors;

/// <summary>
/// Where the embeddable inbox widget may run (<c>Comms:Widget</c>): the origins of the host product's pages, e.g.
/// <c>https://app.example.com</c>. Empty (the default) allows every origin.
/// </summary>
public sealed class WidgetOptions : IValidatableObject
{
    public const string SectionName = "Comms:Widget";

    public string[] AllowedOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var origin in AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.GetLeftPart(UriPartial.Authority) != origin.TrimEnd('/'))
            {
                yield return new ValidationResult(
                    $"{SectionName}:AllowedOrigins: '{origin}' is not an origin; give scheme, host and port only, e.g. https://app.example.com.",
                    [nameof(AllowedOrigins)]);
            }
        }
    }
}

/// <summary>
/// CORS for the widget's cross-origin calls: the API's <c>/me/*</c> and the hub's negotiation and transports.
/// The widget authenticates with a bearer token, never a cookie, so the policy does not allow credentials: a page of
/// another origin can call these endpoints only with a user token it was given — which is why allowing any origin
/// (the default) is safe; <see cref="WidgetOptions.AllowedOrigins"/> narrows it for those who want to.
/// </summary>
public static class WidgetCors
{
    public const string Policy = "widget";

    public static IHostApplicationBuilder AddWidgetCors(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WidgetOptions>().BindConfiguration(WidgetOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<WidgetOptions>>((cors, widget) => cors.AddPolicy(Policy, policy =>
        {
            var origins = widget.Value.AllowedOrigins.Select(o => o.TrimEnd('/')).ToArray();
            if (origins.Length == 0)
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins(origins);
            }

            policy.WithMethods("GET", "POST").AllowAnyHeader().WithExposedHeaders("Retry-After")
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        }));
        return builder;
    }
}
