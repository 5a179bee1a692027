using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Comms.Core.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Comms.IntegrationTests.Auth;

/// <summary>Crafts user tokens claim by claim (including broken ones) and reads 401 answers.</summary>
internal static class Tokens
{
    public static Dictionary<string, object> Claims(string tenantId, string subject = "alice", TimeSpan? lifetime = null)
    {
        var now = DateTimeOffset.UtcNow;
        return new Dictionary<string, object>
        {
            ["tid"] = tenantId, ["sub"] = subject, ["iss"] = UserTokens.DefaultIssuer, ["aud"] = UserTokens.DefaultAudience,
            ["iat"] = now.ToUnixTimeSeconds(), ["exp"] = now.Add(lifetime ?? TimeSpan.FromMinutes(10)).ToUnixTimeSeconds(),
        };
    }

    public static string Hs256(string secret, string? kid, Dictionary<string, object> claims) =>
        Sign(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)) { KeyId = kid }, SecurityAlgorithms.HmacSha256, claims);

    public static string Sign(SecurityKey key, string algorithm, Dictionary<string, object> claims) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }
            .CreateToken(JsonSerializer.Serialize(claims), new SigningCredentials(key, algorithm));

    public static string Unsigned(string kid, Dictionary<string, object> claims) =>
        $"{Base64UrlEncoder.Encode(JsonSerializer.Serialize(new { alg = "none", typ = "JWT", kid }))}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(claims))}.";

    public static async Task<HttpResponseMessage> MeAsync(HttpClient api, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me/notifications/count");
        request.Headers.Authorization = new("Bearer", token);
        return await api.SendAsync(request);
    }

    /// <summary>Asserts a 401 problem details COMMS_UNAUTHORIZED and returns its detail.</summary>
    public static async Task<string> AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("COMMS_UNAUTHORIZED", problem.GetProperty("type").GetString());
        return problem.GetProperty("detail").GetString()!;
    }
}
