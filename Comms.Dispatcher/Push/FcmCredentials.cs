using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Push;

/// <summary>
/// OAuth2 access tokens for FCM from the service account of <see cref="FcmOptions.ServiceAccountJson"/> (inline JSON or
/// a file), through <c>Google.Apis.Auth</c>: a signed JWT exchanged at the key's <c>token_uri</c>, cached and refreshed
/// before it expires.
/// </summary>
public sealed class FcmCredentials
{
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    private readonly ITokenAccess _tokens;

    public FcmCredentials(IOptions<FcmOptions> options)
    {
        var value = options.Value.ServiceAccountJson?.Trim()
            ?? throw new InvalidOperationException($"{FcmOptions.SectionName}:ServiceAccountJson is not set.");
        var json = value.StartsWith('{') ? value : ReadFile(value);
        ServiceAccountCredential account;
        try
        {
            account = CredentialFactory.FromJson<ServiceAccountCredential>(json);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or Newtonsoft.Json.JsonException or FormatException)
        {
            // Never echo the value: it holds a private key.
            throw new InvalidOperationException(
                $"{FcmOptions.SectionName}:ServiceAccountJson is not a service-account key (a JSON with type 'service_account').", ex);
        }

        ProjectId = string.IsNullOrWhiteSpace(options.Value.ProjectId) ? account.ProjectId : options.Value.ProjectId;
        if (string.IsNullOrWhiteSpace(ProjectId))
        {
            throw new InvalidOperationException($"{FcmOptions.SectionName}:ProjectId is not set and the service account names no project_id.");
        }

        _tokens = account.ToGoogleCredential().CreateScoped(Scope);
    }

    public string ProjectId { get; }

    public Task<string> AccessTokenAsync(CancellationToken cancellationToken) =>
        _tokens.GetAccessTokenForRequestAsync(authUri: null, cancellationToken);

    private static string ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"{FcmOptions.SectionName}:ServiceAccountJson is neither a JSON object nor the path of an existing file.");
        }

        return File.ReadAllText(path);
    }
}
