using Microsoft.AspNetCore.Http.HttpResults;
using Scalar.AspNetCore;

namespace Comms.Api.OpenApi;

/// <summary>
/// The API reference: the OpenAPI document at <c>/openapi/v1.json</c> (what every endpoint really answers, its
/// security scheme and working examples) and Scalar at <c>/scalar</c>, served without anything from other hosts.
/// </summary>
public static class OpenApiExtensions
{
    public static IServiceCollection AddCommsOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<DocumentInfoTransformer>();
            options.AddOperationTransformer<OperationSecurityTransformer>();
            options.AddOperationTransformer<RequestExamplesTransformer>();
        });

    public static WebApplication MapCommsApiReference(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapGet("/readme", ReadmeAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapScalarApiReference(options =>
        {
            options.WithTitle("Comms API")
                .DisableDefaultFonts() // no fonts from a CDN: the reference works offline
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .HideClientButton()
                .HideDeveloperTools()
                // Nothing that leads outside: the reference is served locally and works offline.
                .WithCustomCss("a[href*='scalar.com'] { display: none !important; }")
                .AddPreferredSecuritySchemes(SecuritySchemes.ApiKey);
            if (app.Environment.IsDevelopment())
            {
                // "Test request" works at once against the development seed.
                options.AddHttpAuthentication(SecuritySchemes.ApiKey, auth => auth.Token = "demo-api-key");
            }
        }).AllowAnonymous();
        return app;
    }

    /// <summary>The repository's README (embedded at build time), linked from the reference's introduction.</summary>
    private static async Task<Results<ContentHttpResult, NotFound>> ReadmeAsync(CancellationToken cancellationToken)
    {
        await using var stream = typeof(OpenApiExtensions).Assembly.GetManifestResourceStream("README.md");
        if (stream is null)
        {
            return TypedResults.NotFound();
        }

        using var reader = new StreamReader(stream);
        return TypedResults.Text(await reader.ReadToEndAsync(cancellationToken), "text/markdown; charset=utf-8");
    }
}
