using System.Text.Json.Serialization;

namespace Comms.Api.Input;

public static class InputExtensions
{
    /// <summary>Body caps (<c>Comms:Limits</c>) and JSON that takes enumerations by name only.</summary>
    public static IHostApplicationBuilder AddInputGuards(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RequestLimitsOptions>().BindConfiguration(RequestLimitsOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false)));
        return builder;
    }

    /// <summary>Refuses dot segments in the raw path before anything acts on the (normalised) route.</summary>
    public static IApplicationBuilder UseLiteralPathSegments(this IApplicationBuilder app) => app.UseMiddleware<LiteralPathGuard>();

    /// <summary>
    /// NUL characters and body caps, after authorization and rate limiting (so nobody unauthenticated or
    /// over their limit makes the API read a body) and before the endpoint binds its parameters.
    /// </summary>
    public static IApplicationBuilder UseInputGuards(this IApplicationBuilder app) => app.UseMiddleware<RequestInputGuard>();
}
