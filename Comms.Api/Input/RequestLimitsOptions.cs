using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.Metadata;

namespace Comms.Api.Input;

/// <summary>Request body caps (<c>Comms:Limits</c>): above them a request is refused with 413 before it is read.</summary>
public sealed class RequestLimitsOptions
{
    public const string SectionName = "Comms:Limits";

    /// <summary>Every <c>/v1</c>, <c>/me</c> and <c>/sys</c> endpoint (1 MiB).</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary><c>POST /v1/events/bulk</c> (16 MiB: up to 1,000 events).</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxBulkRequestBodyBytes { get; set; } = 16 * 1024 * 1024;
}

/// <summary>
/// A body cap as endpoint metadata. ASP.NET Core's routing hands it to the server
/// (<c>IHttpMaxRequestBodySizeFeature</c>, which Kestrel enforces); <see cref="RequestInputGuard"/>
/// enforces it on any server, TestServer included, and answers 413 problem details.
/// </summary>
public sealed record BodySizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

public static class BodySizeLimitExtensions
{
    public static TBuilder WithBodySizeLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodySizeLimit(bytes));
}
