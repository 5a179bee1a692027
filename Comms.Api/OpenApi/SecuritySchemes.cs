namespace Comms.Api.OpenApi;

/// <summary>The three ways to call the API, as the OpenAPI document names them.</summary>
public static class SecuritySchemes
{
    /// <summary>A tenant API key (<c>cms_…</c>): product backends, on <c>/v1</c>.</summary>
    public const string ApiKey = "apiKey";

    /// <summary>An end user's JWT signed with a tenant signing key: <c>/me</c>.</summary>
    public const string UserToken = "userToken";

    /// <summary>The platform operator key: <c>/sys</c>.</summary>
    public const string OperatorKey = "operatorKey";
}
