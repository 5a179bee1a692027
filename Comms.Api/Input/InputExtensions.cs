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

    /// <summary>
    /// The guards, after routing (so the endpoint's body cap is known) and before authentication (so a
    /// hostile request costs no key lookup): literal path segments, NUL characters, body caps.
    /// </summary>
    public static IApplicationBuilder UseInputGuards(this IApplicationBuilder app) =>
        app.UseMiddleware<LiteralPathGuard>().UseMiddleware<RequestInputGuard>();
}
