using Comms.Core.Auth;
using Comms.Core.Operators;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Comms.Core.Tests;

public sealed class OperatorTokensTests
{
    private const string EncryptionKey = "aW50ZWdyYXRpb24tdGVzdHMtc2VjcmV0LWtleS0zMmI=";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static OperatorTokens Tokens(TimeProvider time, string? signingKey = null, string encryptionKey = EncryptionKey) =>
        new(Options.Create(new OperatorOptions { TokenSigningKey = signingKey }), Options.Create(new UserTokenOptions { SecretEncryptionKey = encryptionKey }), time);

    private static OperatorTokenClaims Claims(DateTimeOffset authTime) =>
        new(Guid.CreateVersion7(), "ops@example.test", "Ops", [OperatorRoles.SysOperator], [("demo", OperatorRoles.CommsApprover)], authTime, OperatorTokens.HashStamp("stamp"));

    [Fact]
    public async Task A_token_round_trips_its_claims_and_expires_after_its_lifetime()
    {
        var time = new FakeTimeProvider(Now);
        var tokens = Tokens(time);
        var claims = Claims(Now.AddMinutes(-1));
        var token = tokens.Issue(claims);
        Assert.True(OperatorTokens.LooksLikeToken(token));

        var read = await tokens.ValidateAsync(token);
        Assert.NotNull(read);
        Assert.Equal(claims.OperatorId, read.OperatorId);
        Assert.Equal([OperatorRoles.SysOperator], read.Roles);
        Assert.Equal([("demo", OperatorRoles.CommsApprover)], read.TenantRoles);
        Assert.Equal(claims.AuthTime, read.AuthTime);
        Assert.Equal(claims.StampHash, read.StampHash);

        time.Advance(TimeSpan.FromMinutes(15));
        Assert.NotNull(await tokens.ValidateAsync(token)); // within the 30-second skew
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await tokens.ValidateAsync(token));
    }

    [Fact]
    public async Task A_token_of_another_key_or_a_tampered_one_is_refused()
    {
        var time = new FakeTimeProvider(Now);
        var token = Tokens(time).Issue(Claims(Now));
        Assert.Null(await Tokens(time, encryptionKey: "ZGV2ZWxvcG1lbnQtb25seS1zZWNyZXQta2V5LTMyYnk=").ValidateAsync(token));
        Assert.Null(await Tokens(time, signingKey: Convert.ToBase64String(new byte[32])).ValidateAsync(token));
        Assert.Null(await Tokens(time).ValidateAsync(token[..^3] + (token[^3..] == "abc" ? "abd" : "abc")));
        Assert.False(OperatorTokens.LooksLikeToken("demo-sys-key"));
    }

    [Theory]
    [InlineData(OperatorRoles.SysOperator, null, true)]
    [InlineData(OperatorRoles.SysOperator, "demo", false)]
    [InlineData(OperatorRoles.CommsEditor, "demo", true)]
    [InlineData(OperatorRoles.CommsViewer, null, false)]
    [InlineData("Admin", "demo", false)]
    public void Grants_are_sys_wide_for_SysOperator_and_per_tenant_for_the_others(string role, string? tenantId, bool valid) =>
        Assert.Equal(valid, OperatorRoles.IsValid(role, tenantId));
}
