using System.Net;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Auth;

/// <summary>What a user token must be for <c>/me</c>: each broken rule is a 401 COMMS_UNAUTHORIZED naming the reason.</summary>
[Collection(CommsCollection.Name)]
public sealed class UserTokenRulesTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_token_signed_with_the_tenants_key_is_accepted()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");

        var response = await Tokens.MeAsync(fixture.Api.CreateClient(), Tokens.Hs256(tenant.SigningSecret, TestTenant.SigningKeyId, Tokens.Claims(tenant.Id)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Tenant_As_key_never_validates_a_token_for_tenant_B()
    {
        var a = await TestTenant.CreateAsync(fixture, "alice");
        var b = await TestTenant.CreateAsync(fixture, "alice");

        // Both tenants have a key named "test-key": A's secret signs a token that claims B.
        var detail = await Tokens.AssertUnauthorizedAsync(
            await Tokens.MeAsync(fixture.Api.CreateClient(), Tokens.Hs256(a.SigningSecret, TestTenant.SigningKeyId, Tokens.Claims(b.Id))));

        Assert.StartsWith("Bad signature", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("iss", "issuer")]
    [InlineData("aud", "audience")]
    [InlineData("exp", "no 'exp'")]
    [InlineData("sub", "no 'sub'")]
    [InlineData("tid", "no 'tid'")]
    public async Task A_token_without_a_required_claim_is_refused_naming_it(string claim, string reason)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var claims = Tokens.Claims(tenant.Id);
        claims.Remove(claim);

        var detail = await Tokens.AssertUnauthorizedAsync(
            await Tokens.MeAsync(fixture.Api.CreateClient(), Tokens.Hs256(tenant.SigningSecret, TestTenant.SigningKeyId, claims)));

        Assert.Contains(reason, detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_kid_unknown_kid_empty_or_unknown_tenant_and_alg_none_are_refused()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var api = fixture.Api.CreateClient();
        var emptyTid = Tokens.Claims(tenant.Id);
        emptyTid["tid"] = "";

        var cases = new (string Token, string Reason)[]
        {
            (Tokens.Hs256(tenant.SigningSecret, null, Tokens.Claims(tenant.Id)), "no 'kid'"),
            (Tokens.Hs256(tenant.SigningSecret, "no-such-key", Tokens.Claims(tenant.Id)), "'no-such-key' is unknown"),
            (Tokens.Hs256(tenant.SigningSecret, TestTenant.SigningKeyId, emptyTid), "no 'tid'"),
            (Tokens.Hs256(tenant.SigningSecret, TestTenant.SigningKeyId, Tokens.Claims("no-such-tenant")), "does not exist"),
            (Tokens.Unsigned(TestTenant.SigningKeyId, Tokens.Claims(tenant.Id)), "'none'"),
            ("not.a.token", "not a well-formed JWT"),
        };

        foreach (var (token, reason) in cases)
        {
            Assert.Contains(reason, await Tokens.AssertUnauthorizedAsync(await Tokens.MeAsync(api, token)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_ten_year_token_is_refused_as_too_long_lived()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var withoutIat = Tokens.Claims(tenant.Id, lifetime: TimeSpan.FromDays(3650));
        withoutIat.Remove("iat");

        var detail = await Tokens.AssertUnauthorizedAsync(await Tokens.MeAsync(fixture.Api.CreateClient(),
            Tokens.Hs256(tenant.SigningSecret, TestTenant.SigningKeyId, Tokens.Claims(tenant.Id, lifetime: TimeSpan.FromDays(3650)))));
        var detailWithoutIat = await Tokens.AssertUnauthorizedAsync(await Tokens.MeAsync(fixture.Api.CreateClient(),
            Tokens.Hs256(tenant.SigningSecret, TestTenant.SigningKeyId, withoutIat)));

        Assert.Contains("lifetime is too long", detail, StringComparison.Ordinal);
        Assert.Contains("lifetime is too long", detailWithoutIat, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30, HttpStatusCode.OK)]
    [InlineData(90, HttpStatusCode.Unauthorized)]
    public async Task Expiry_tolerates_at_most_a_minute_of_clock_skew(int secondsAgo, HttpStatusCode expected)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var claims = Tokens.Claims(tenant.Id);
        claims["iat"] = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();
        claims["exp"] = DateTimeOffset.UtcNow.AddSeconds(-secondsAgo).ToUnixTimeSeconds();

        var response = await Tokens.MeAsync(fixture.Api.CreateClient(), Tokens.Hs256(tenant.SigningSecret, TestTenant.SigningKeyId, claims));

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Contains("expired", await Tokens.AssertUnauthorizedAsync(response), StringComparison.Ordinal);
        }
    }
}
