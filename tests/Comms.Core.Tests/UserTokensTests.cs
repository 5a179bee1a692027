using System.Security.Claims;
using Comms.Core.Auth;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Comms.Core.Tests;

public sealed class UserTokensTests
{
    private static readonly UserTokenOptions Options = new() { UserTokenSigningKey = new string('k', 40) };

    [Fact]
    public async Task An_issued_token_validates_and_names_tenant_and_user()
    {
        var token = UserTokens.Issue(Options, "demo", "alice", TimeSpan.FromMinutes(5), TimeProvider.System);

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, UserTokens.ValidationParameters(Options));

        Assert.True(result.IsValid);
        Assert.Equal(("demo", "alice"), UserTokens.UserOf(new ClaimsPrincipal(result.ClaimsIdentity)));
    }

    [Fact]
    public async Task A_token_signed_with_another_key_or_expired_is_refused()
    {
        var other = UserTokens.Issue(new UserTokenOptions { UserTokenSigningKey = new string('x', 40) }, "demo", "alice", TimeSpan.FromMinutes(5), TimeProvider.System);
        var past = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-2));
        var expired = UserTokens.Issue(Options, "demo", "alice", TimeSpan.FromMinutes(5), past);

        var handler = new JsonWebTokenHandler();
        Assert.False((await handler.ValidateTokenAsync(other, UserTokens.ValidationParameters(Options))).IsValid);
        Assert.False((await handler.ValidateTokenAsync(expired, UserTokens.ValidationParameters(Options))).IsValid);
    }
}
