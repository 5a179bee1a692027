using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Comms.Core.Tenancy;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Comms.IntegrationTests.Auth;

/// <summary><c>/v1/signing-keys</c>: per-tenant HS256 and RS256 keys, shown once, listed without secrets, rotated and revoked.</summary>
[Collection(CommsCollection.Name)]
public sealed class SigningKeysApiTests(CommsFixture fixture)
{
    private static async Task<JsonElement> CreateAsync(TestTenant tenant, object body)
    {
        var response = await tenant.ApiClient().PostAsJsonAsync("/v1/signing-keys", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task An_HS256_secret_is_shown_once_signs_tokens_and_is_never_listed()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var created = await CreateAsync(tenant, new { algorithm = "HS256", kid = "web-2026" });
        var secret = created.GetProperty("secret").GetString()!;
        var listed = await tenant.ApiClient().GetStringAsync("/v1/signing-keys");
        var one = await tenant.ApiClient().GetFromJsonAsync<JsonElement>("/v1/signing-keys/web-2026");
        var token = Tokens.Hs256(secret, "web-2026", Tokens.Claims(tenant.Id));

        Assert.Equal("web-2026", created.GetProperty("kid").GetString());
        Assert.Equal("comms", created.GetProperty("issuer").GetString());
        Assert.Equal("comms-user", created.GetProperty("audience").GetString());
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.Contains("web-2026", listed, StringComparison.Ordinal);
        Assert.False(one.TryGetProperty("secret", out _));
        Assert.Equal(HttpStatusCode.OK, (await Tokens.MeAsync(fixture.Api.CreateClient(), token)).StatusCode);
        await using var db = fixture.CreateDbContext();
        Assert.DoesNotContain(secret, db.SigningKeys.Single(k => k.TenantId == tenant.Id && k.Kid == "web-2026").ProtectedSecret, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duplicate_kid_is_409_bad_input_is_400_and_non_admin_keys_are_403()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var editor = await tenant.AddApiKeyAsync("editor", ApiKeyRoles.Editor);

        var duplicate = await tenant.ApiClient().PostAsJsonAsync("/v1/signing-keys", new { algorithm = "HS256", kid = TestTenant.SigningKeyId });
        var badAlgorithm = await tenant.ApiClient().PostAsJsonAsync("/v1/signing-keys", new { algorithm = "none" });
        var privateKey = await tenant.ApiClient().PostAsJsonAsync("/v1/signing-keys", new { algorithm = "RS256", publicKey = RSA.Create(2048).ExportPkcs8PrivateKeyPem() });
        var notAdmin = await tenant.ApiClient(editor).GetAsync("/v1/signing-keys");
        var unknown = await tenant.ApiClient().DeleteAsync("/v1/signing-keys/no-such-key");
        var withControl = await tenant.ApiClient().GetAsync("/v1/signing-keys/a%01b");

        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badAlgorithm.StatusCode);
        Assert.Contains("algorithm", await badAlgorithm.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, privateKey.StatusCode);
        Assert.Contains("private key", await privateKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, withControl.StatusCode);
    }

    [Fact]
    public async Task Two_active_keys_both_work_and_a_revoked_kid_is_refused_at_once_in_the_api_and_the_hub()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var next = (await CreateAsync(tenant, new { algorithm = "HS256", kid = "next" })).GetProperty("secret").GetString()!;
        var api = fixture.Api.CreateClient();
        var oldToken = Tokens.Hs256(tenant.SigningSecret, TestTenant.SigningKeyId, Tokens.Claims(tenant.Id));
        var newToken = Tokens.Hs256(next, "next", Tokens.Claims(tenant.Id));
        Assert.Equal(HttpStatusCode.OK, (await Tokens.MeAsync(api, oldToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Tokens.MeAsync(api, newToken)).StatusCode);
        using var web = new HttpClient { BaseAddress = new Uri(fixture.Web.BaseUrl) };
        Assert.Equal(HttpStatusCode.OK, (await web.PostAsync($"/hubs/notifications/negotiate?negotiateVersion=1&access_token={oldToken}", null)).StatusCode);

        var revoked = await tenant.ApiClient().DeleteAsync($"/v1/signing-keys/{TestTenant.SigningKeyId}");

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Contains("revoked", await Tokens.AssertUnauthorizedAsync(await Tokens.MeAsync(api, oldToken)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Tokens.MeAsync(api, newToken)).StatusCode);
        // The Web hears of it through Redis (the key cache's TTL is only the safety net).
        await Poll.UntilAsync(async () =>
            (await web.PostAsync($"/hubs/notifications/negotiate?negotiateVersion=1&access_token={oldToken}", null)).StatusCode == HttpStatusCode.Unauthorized,
            "the hub to refuse the revoked key", TimeSpan.FromSeconds(5));
        var listed = await tenant.ApiClient().GetFromJsonAsync<JsonElement>($"/v1/signing-keys/{TestTenant.SigningKeyId}");
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task RS256_keys_register_as_PEM_or_JWK_and_validate_only_RS256_tokens()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        using var pemKey = RSA.Create(2048);
        using var jwkKey = RSA.Create(2048);
        var publicPem = pemKey.ExportSubjectPublicKeyInfoPem();
        var parameters = jwkKey.ExportParameters(false);
        await CreateAsync(tenant, new { algorithm = "RS256", kid = "rsa-pem", publicKey = publicPem });
        var jwkCreated = await CreateAsync(tenant, new
        {
            algorithm = "RS256",
            jwk = new { kty = "RSA", kid = "rsa-jwk", use = "sig", n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
        });
        var api = fixture.Api.CreateClient();

        var pemToken = Tokens.Sign(new RsaSecurityKey(pemKey) { KeyId = "rsa-pem" }, SecurityAlgorithms.RsaSha256, Tokens.Claims(tenant.Id));
        var jwkToken = Tokens.Sign(new RsaSecurityKey(jwkKey) { KeyId = "rsa-jwk" }, SecurityAlgorithms.RsaSha256, Tokens.Claims(tenant.Id));
        var wrongKey = Tokens.Sign(new RsaSecurityKey(jwkKey) { KeyId = "rsa-pem" }, SecurityAlgorithms.RsaSha256, Tokens.Claims(tenant.Id));
        // HS/RS confusion: HMAC with the (public) PEM as the secret, under the RSA key's kid.
        var confused = Tokens.Hs256(publicPem, "rsa-pem", Tokens.Claims(tenant.Id));
        var confusedDer = Tokens.Sign(new SymmetricSecurityKey(pemKey.ExportSubjectPublicKeyInfo()) { KeyId = "rsa-pem" }, SecurityAlgorithms.HmacSha256, Tokens.Claims(tenant.Id));

        Assert.Equal("rsa-jwk", jwkCreated.GetProperty("kid").GetString());
        Assert.False(jwkCreated.TryGetProperty("secret", out var secret) && secret.ValueKind != JsonValueKind.Null);
        Assert.Equal(HttpStatusCode.OK, (await Tokens.MeAsync(api, pemToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Tokens.MeAsync(api, jwkToken)).StatusCode);
        Assert.StartsWith("Bad signature", await Tokens.AssertUnauthorizedAsync(await Tokens.MeAsync(api, wrongKey)), StringComparison.Ordinal);
        Assert.Contains("accepts only RS256", await Tokens.AssertUnauthorizedAsync(await Tokens.MeAsync(api, confused)), StringComparison.Ordinal);
        Assert.Contains("accepts only RS256", await Tokens.AssertUnauthorizedAsync(await Tokens.MeAsync(api, confusedDer)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_with_its_own_issuer_and_audience_requires_them()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var secret = (await CreateAsync(tenant, new { algorithm = "HS256", kid = "own", issuer = "https://shop.example", audience = "shop-inbox" }))
            .GetProperty("secret").GetString()!;
        var claims = Tokens.Claims(tenant.Id);
        var api = fixture.Api.CreateClient();

        var withDefaults = await Tokens.MeAsync(api, Tokens.Hs256(secret, "own", claims));
        claims["aud"] = "shop-inbox";
        var withDefaultIssuer = await Tokens.MeAsync(api, Tokens.Hs256(secret, "own", claims));
        claims["iss"] = "https://shop.example";
        var withOwn = await Tokens.MeAsync(api, Tokens.Hs256(secret, "own", claims));

        Assert.Contains("expects 'shop-inbox'", await Tokens.AssertUnauthorizedAsync(withDefaults), StringComparison.Ordinal);
        Assert.Contains("expects 'https://shop.example'", await Tokens.AssertUnauthorizedAsync(withDefaultIssuer), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, withOwn.StatusCode);
    }
}
