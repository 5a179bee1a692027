namespace Comms.Api.OpenApi;

/// <summary>The ways to call the API, as the OpenAPI document names them (and the signatures of providers' webhooks).</summary>
public static class SecuritySchemes
{
    /// <summary>A tenant API key (<c>cms_…</c>): product backends, on <c>/v1</c>.</summary>
    public const string ApiKey = "apiKey";

    /// <summary>An end user's JWT signed with a tenant signing key: <c>/me</c>.</summary>
    public const string UserToken = "userToken";

    /// <summary>The platform operator key, or an operator token from <c>POST /sys/auth/token</c>: <c>/sys</c>.</summary>
    public const string OperatorKey = "operatorKey";

    /// <summary>Twilio's <c>X-Twilio-Signature</c> (HMAC-SHA1 with the account's auth token): <c>/webhooks/twilio/*</c>.</summary>
    public const string TwilioSignature = "twilioSignature";
}

/// <summary>Marks an anonymous endpoint (a provider's webhook) as authenticated by the provider's signature scheme instead.</summary>
public sealed record ProviderSignatureMetadata(string Scheme);
