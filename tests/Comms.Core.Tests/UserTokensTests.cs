using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Comms.Core.Auth;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Comms.Core.Tests;

/// <summary>The shared user-token validator against a fixed key set and a fake clock.</summary>
public sealed class UserTokensTests
{
    private const string Secret = "cmsk_unit-test-secret-0123456789abcdefghijklmnop";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly Keys _keys = new();

    private UserTokenValidator Validator => new(_keys, Options.Create(new UserTokenOptions { SecretEncryptionKey = Convert.ToBase64String(new byte[32]) }), _time);

    public UserTokensTests()
    {
        _keys.Add("acme", new ActiveSigningKey("k1", SigningAlgorithms.Hs256,
            SigningKeyMaterial.ToSecurityKey(SigningAlgorithms.Hs256, "k1", Secret, null), UserTokens.DefaultIssuer, UserTokens.DefaultAudience));
        _keys.Add("other", new ActiveSigningKey("k2", SigningAlgorithms.Hs256,
            SigningKeyMaterial.ToSecurityKey(SigningAlgorithms.Hs256, "k2", Secret + "x", null), UserTokens.DefaultIssuer, UserTokens.DefaultAudience));
    }

    [Fact]
    public async Task A_token_of_the_tenants_key_is_accepted()
    {
        var token = UserTokens.IssueHs256(Secret, "k1", "acme", "alice", TimeSpan.FromMinutes(5), _time);

        var result = await Validator.ValidateAsync(token, CancellationToken.None);

        Assert.Null(result.Failure);
        Assert.Equal(("acme", "alice", "k1"), (result.TenantId, result.ExternalId, result.Kid));
    }

    [Theory]
    [InlineData(30, true)]
    [InlineData(90, false)]
    public async Task Expiry_allows_at_most_a_minute_of_clock_skew(int secondsAgo, bool accepted)
    {
        var token = Token(new() { ["exp"] = Unix(_time.GetUtcNow().AddSeconds(-secondsAgo)), ["iat"] = Unix(_time.GetUtcNow().AddMinutes(-10)) });

        var result = await Validator.ValidateAsync(token, CancellationToken.None);

        Assert.Equal(accepted, result.IsValid);
        if (!accepted)
        {
            Assert.Contains("expired", result.Failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_lifetime_above_the_cap_is_refused_with_or_without_iat()
    {
        var withIat = Token(new() { ["exp"] = Unix(_time.GetUtcNow().AddDays(2)), ["iat"] = Unix(_time.GetUtcNow()) });
        var withoutIat = Token(new() { ["exp"] = Unix(_time.GetUtcNow().AddYears(10)) });

        Assert.Contains("lifetime is too long", (await Validator.ValidateAsync(withIat, CancellationToken.None)).Failure, StringComparison.Ordinal);
        Assert.Contains("lifetime is too long", (await Validator.ValidateAsync(withoutIat, CancellationToken.None)).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_tenants_key_never_validates_a_token_naming_this_tenant()
    {
        // Signed by acme's secret, kid of acme, but claiming tenant "other": only other's keys are candidates.
        var token = Token(new() { ["tid"] = "other" });
        var withOthersKid = Token(new() { ["tid"] = "other" }, kid: "k2");

        Assert.Contains("unknown to tenant 'other'", (await Validator.ValidateAsync(token, CancellationToken.None)).Failure, StringComparison.Ordinal);
        Assert.StartsWith("Bad signature", (await Validator.ValidateAsync(withOthersKid, CancellationToken.None)).Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tid", "no 'tid'")]
    [InlineData("sub", "no 'sub'")]
    [InlineData("exp", "no 'exp'")]
    [InlineData("iss", "issuer")]
    [InlineData("aud", "audience")]
    public async Task A_missing_claim_is_refused_naming_it(string claim, string reason)
    {
        var claims = Claims();
        claims.Remove(claim);

        var result = await Validator.ValidateAsync(Token(claims, replace: true), CancellationToken.None);

        Assert.Contains(reason, result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alg_none_and_a_missing_kid_are_refused()
    {
        static string Part(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));
        var payload = Part(new { tid = "acme", sub = "alice", exp = 1_900_000_000, iss = "comms", aud = "comms-user" });

        Assert.Contains("'none'", (await Validator.ValidateAsync($"{Part(new { alg = "none", kid = "k1" })}.{payload}.", CancellationToken.None)).Failure, StringComparison.Ordinal);
        Assert.Contains("no 'kid'", (await Validator.ValidateAsync(Token(Claims(), kid: null), CancellationToken.None)).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_are_sealed_per_tenant_and_kid()
    {
        var protector = new SigningSecretProtector(Options.Create(new UserTokenOptions { SecretEncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));
        var sealedSecret = protector.Protect("acme", "k1", Secret);

        Assert.DoesNotContain(Secret, sealedSecret, StringComparison.Ordinal);
        Assert.Equal(Secret, protector.Unprotect("acme", "k1", sealedSecret));
        Assert.Null(protector.Unprotect("other", "k1", sealedSecret));
        Assert.Null(protector.Unprotect("acme", "k2", sealedSecret));
    }

    private Dictionary<string, object> Claims() => new()
    {
        ["tid"] = "acme", ["sub"] = "alice", ["iss"] = UserTokens.DefaultIssuer, ["aud"] = UserTokens.DefaultAudience,
        ["iat"] = Unix(_time.GetUtcNow()), ["exp"] = Unix(_time.GetUtcNow().AddMinutes(5)),
    };

    private string Token(Dictionary<string, object> claims, string? kid = "k1", bool replace = false)
    {
        var all = replace ? claims : Claims().Concat(claims).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)) { KeyId = kid };
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(JsonSerializer.Serialize(all), new SigningCredentials(key, SecurityAlgorithms.HmacSha256));
    }

    private static long Unix(DateTimeOffset at) => at.ToUnixTimeSeconds();

    private sealed class Keys : ISigningKeySource
    {
        private readonly Dictionary<string, Dictionary<string, ActiveSigningKey>> _tenants = new(StringComparer.Ordinal);

        public void Add(string tenant, ActiveSigningKey key)
        {
            if (!_tenants.TryGetValue(tenant, out var keys))
            {
                _tenants[tenant] = keys = new Dictionary<string, ActiveSigningKey>(StringComparer.Ordinal);
            }

            keys[key.Kid] = key;
        }

        public ValueTask<TenantKeySet> GetAsync(string tenantId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(_tenants.TryGetValue(tenantId, out var keys) ? new TenantKeySet(true, keys) : TenantKeySet.UnknownTenant);
    }
}
