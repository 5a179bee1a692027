using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Auth;
using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Comms.IntegrationTests.Auth;

/// <summary>
/// Operators sign in for the <c>/sys/*</c> API (<c>POST /sys/auth/token</c>): the token's claims, SysOperator versus
/// a tenant role on <c>/sys/tenants</c>, wrong passwords and the lockout after five, fresh-auth on creating a tenant
/// (and its admin key), two-factor enrolment with an authenticator code computed here, and sign-out everywhere.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class OperatorSignInTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_sys_operator_gets_a_short_lived_token_with_its_roles_and_auth_time_and_it_opens_sys_tenants()
    {
        var op = await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.SysOperator);
        using var client = fixture.Api.CreateClient();

        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var response = await OperatorTestSupport.SignInAsync(client, op.Email!.ToUpperInvariant());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());
        Assert.Equal(900, body.GetProperty("expiresIn").GetInt32());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());

        var jwt = new JsonWebToken(body.GetProperty("accessToken").GetString()!);
        Assert.Equal(op.Id.ToString(), jwt.Subject);
        Assert.Equal(op.Email, jwt.GetPayloadValue<string>("email"));
        Assert.Equal([OperatorRoles.SysOperator], jwt.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
        var authTime = DateTimeOffset.FromUnixTimeSeconds(jwt.GetPayloadValue<long>("auth_time"));
        Assert.InRange(authTime, before, DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(TimeSpan.FromMinutes(15), jwt.ValidTo - jwt.IssuedAt);

        var tenants = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sys/tenants").With(jwt.EncodedToken));
        Assert.Equal(HttpStatusCode.OK, tenants.StatusCode);

        // A fresh token creates a tenant (and its first admin key): fresh-auth is satisfied.
        var created = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/tenants")
        {
            Content = JsonContent.Create(new { id = "op-" + Guid.NewGuid().ToString("N")[..10], name = "Made by an operator" }),
        }.With(jwt.EncodedToken));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task A_tenant_role_is_scoped_to_its_tenant_and_is_forbidden_on_sys_tenants()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var approver = await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.CommsApprover, tenant.Id);
        using var client = fixture.Api.CreateClient();
        var token = await OperatorTestSupport.TokenAsync(client, approver.Email!);

        var jwt = new JsonWebToken(token);
        Assert.DoesNotContain(jwt.Claims, c => c.Type == "roles");
        Assert.Equal([$"{tenant.Id}:{OperatorRoles.CommsApprover}"], jwt.Claims.Where(c => c.Type == "tenant_roles").Select(c => c.Value));

        var list = await OperatorTestSupport.ProblemAsync(await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sys/tenants").With(token)));
        Assert.Equal((403, "COMMS_FORBIDDEN"), (list.Status, list.Type));
        var get = await OperatorTestSupport.ProblemAsync(await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/sys/tenants/{tenant.Id}").With(token)));
        Assert.Equal((403, "COMMS_FORBIDDEN"), (get.Status, get.Type));

        // A forged or tampered token is no credential at all; the platform key still works for automation.
        var tampered = token[..^4] + (token[^4..] == "AAAA" ? "BBBB" : "AAAA");
        var forged = await OperatorTestSupport.ProblemAsync(await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sys/tenants").With(tampered)));
        Assert.Equal((401, "COMMS_UNAUTHORIZED"), (forged.Status, forged.Type));
        var automation = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sys/tenants").With(CommsFixture.SysKey));
        Assert.Equal(HttpStatusCode.OK, automation.StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_are_401_and_the_fifth_in_a_row_locks_the_operator_out_for_15_minutes()
    {
        var op = await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.SysOperator);
        using var client = fixture.Api.CreateClient();

        var unknown = await OperatorTestSupport.ProblemAsync(await OperatorTestSupport.SignInAsync(client, "nobody-" + op.Email));
        Assert.Equal((401, "COMMS_INVALID_CREDENTIALS"), (unknown.Status, unknown.Type));

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var wrong = await OperatorTestSupport.ProblemAsync(await OperatorTestSupport.SignInAsync(client, op.Email!, "Wrong-Passw0rd!!"));
            Assert.Equal((401, "COMMS_INVALID_CREDENTIALS"), (wrong.Status, wrong.Type));
        }

        var fifth = await OperatorTestSupport.SignInAsync(client, op.Email!, "Wrong-Passw0rd!!");
        var locked = await OperatorTestSupport.ProblemAsync(fifth);
        Assert.Equal((423, "COMMS_OPERATOR_LOCKED_OUT"), (locked.Status, locked.Type));
        var until = locked.Body.GetProperty("lockedUntil").GetDateTimeOffset();
        Assert.InRange(until, DateTimeOffset.UtcNow.AddMinutes(14), DateTimeOffset.UtcNow.AddMinutes(15).AddSeconds(5));
        Assert.InRange(int.Parse(fifth.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 840, 905);

        // Even the right password is refused until the lockout ends.
        var right = await OperatorTestSupport.ProblemAsync(await OperatorTestSupport.SignInAsync(client, op.Email!));
        Assert.Equal((423, "COMMS_OPERATOR_LOCKED_OUT"), (right.Status, right.Type));

        var missing = await OperatorTestSupport.ProblemAsync(await client.PostAsJsonAsync("/sys/auth/token", new { email = op.Email }));
        Assert.Equal((400, "COMMS_VALIDATION"), (missing.Status, missing.Type));
        Assert.True(missing.Body.GetProperty("errors").TryGetProperty("password", out _));
    }

    [Fact]
    public async Task Creating_a_tenant_needs_a_password_entered_within_5_minutes()
    {
        var op = await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.SysOperator);
        using var client = fixture.Api.CreateClient();

        // A token minted six minutes ago (still within its 15-minute life), by the API's own token service on a clock set back.
        string stale;
        await using (var scope = fixture.Api.Services.CreateAsyncScope())
        {
            var then = DateTimeOffset.UtcNow.AddMinutes(-6);
            var tokens = new OperatorTokens(scope.ServiceProvider.GetRequiredService<IOptions<OperatorOptions>>(),
                scope.ServiceProvider.GetRequiredService<IOptions<UserTokenOptions>>(), new FakeTimeProvider(then));
            var user = (await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Operator>>().FindByIdAsync(op.Id.ToString()))!;
            stale = tokens.Issue(await scope.ServiceProvider.GetRequiredService<OperatorSignIn>().ClaimsAsync(user, then, CancellationToken.None));
        }

        var id = "fresh-" + Guid.NewGuid().ToString("N")[..10];
        var refused = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/tenants")
        {
            Content = JsonContent.Create(new { id, name = "Needs fresh auth" }),
        }.With(stale));
        var problem = await OperatorTestSupport.ProblemAsync(refused);
        Assert.Equal((401, "COMMS_FRESH_AUTH_REQUIRED"), (problem.Status, problem.Type));
        Assert.Equal(300, problem.Body.GetProperty("maxAge").GetInt32());
        Assert.Contains("insufficient_user_authentication", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("max_age=300", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        // Nothing was created, reading is not sensitive, and signing in again lets the same request through.
        var missing = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/sys/tenants/{id}").With(stale));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var fresh = await OperatorTestSupport.TokenAsync(client, op.Email!);
        var created = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/tenants")
        {
            Content = JsonContent.Create(new { id, name = "Needs fresh auth" }),
        }.With(fresh));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task Two_factor_enrolment_with_an_authenticator_code_then_sign_in_needs_the_code()
    {
        var op = await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.SysOperator);
        using var client = fixture.Api.CreateClient();
        var token = await OperatorTestSupport.TokenAsync(client, op.Email!);

        var start = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/auth/totp").With(token));
        var enrolment = await start.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var key = enrolment.GetProperty("sharedKey").GetString()!;
        Assert.StartsWith("otpauth://totp/Comms:", enrolment.GetProperty("authenticatorUri").GetString(), StringComparison.Ordinal);
        Assert.Contains($"secret={key}", enrolment.GetProperty("authenticatorUri").GetString(), StringComparison.Ordinal);

        // Enrolling keeps the token; until confirmed, sign-in needs no code.
        var code = OperatorTestSupport.Totp(key, DateTimeOffset.UtcNow);
        var wrongCode = code == "000000" ? "111111" : "000000";
        var wrong = await OperatorTestSupport.ProblemAsync(await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/auth/totp/confirm")
        {
            Content = JsonContent.Create(new { code = wrongCode }),
        }.With(token)));
        Assert.Equal((400, "COMMS_VALIDATION"), (wrong.Status, wrong.Type));
        Assert.Equal(HttpStatusCode.OK, (await OperatorTestSupport.SignInAsync(client, op.Email!)).StatusCode);

        var confirmed = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/auth/totp/confirm")
        {
            Content = JsonContent.Create(new { code }),
        }.With(token));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.True((await confirmed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("twoFactorEnabled").GetBoolean());

        // Enabling two-factor signed the operator out everywhere.
        var old = await OperatorTestSupport.ProblemAsync(await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sys/tenants").With(token)));
        Assert.Equal((401, "COMMS_UNAUTHORIZED"), (old.Status, old.Type));

        var required = await OperatorTestSupport.ProblemAsync(await OperatorTestSupport.SignInAsync(client, op.Email!));
        Assert.Equal((401, "COMMS_TOTP_REQUIRED"), (required.Status, required.Type));
        var invalid = await OperatorTestSupport.ProblemAsync(await OperatorTestSupport.SignInAsync(client, op.Email!, totp: wrongCode));
        Assert.Equal((401, "COMMS_TOTP_INVALID"), (invalid.Status, invalid.Type));
        var withCode = await OperatorTestSupport.TokenAsync(client, op.Email!, OperatorTestSupport.Totp(key, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sys/tenants").With(withCode))).StatusCode);

        var again = await OperatorTestSupport.ProblemAsync(await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/auth/totp").With(withCode)));
        Assert.Equal((409, "COMMS_CONFLICT"), (again.Status, again.Type));
    }

    [Fact]
    public async Task Sign_out_everywhere_revokes_every_token_issued_before()
    {
        var op = await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.SysOperator);
        using var client = fixture.Api.CreateClient();
        var first = await OperatorTestSupport.TokenAsync(client, op.Email!);
        var second = await OperatorTestSupport.TokenAsync(client, op.Email!);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sys/tenants").With(second))).StatusCode);

        var signOut = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/auth/sign-out-everywhere").With(first));
        Assert.Equal(HttpStatusCode.NoContent, signOut.StatusCode);

        foreach (var token in new[] { first, second })
        {
            var refused = await OperatorTestSupport.ProblemAsync(await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sys/tenants").With(token)));
            Assert.Equal((401, "COMMS_UNAUTHORIZED"), (refused.Status, refused.Type));
            Assert.Contains("revoked", refused.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var next = await OperatorTestSupport.TokenAsync(client, op.Email!);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/sys/tenants").With(next))).StatusCode);

        // The account endpoints take operator tokens only: the platform key is no operator.
        var byKey = await OperatorTestSupport.ProblemAsync(await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/sys/auth/sign-out-everywhere").With(CommsFixture.SysKey)));
        Assert.Equal((401, "COMMS_UNAUTHORIZED"), (byKey.Status, byKey.Type));
    }

    [Fact]
    public async Task The_development_seed_has_two_sys_operators_and_an_approver_of_demo_and_applies_twice()
    {
        await fixture.SeedDemoAsync();
        await fixture.SeedDemoAsync();
        using var client = fixture.Api.CreateClient();
        foreach (var (email, roles, tenantRoles) in new[]
        {
            ("ops@example.test", new[] { OperatorRoles.SysOperator }, Array.Empty<string>()),
            ("ops2@example.test", [OperatorRoles.SysOperator], []),
            ("approver@example.test", [], [$"demo:{OperatorRoles.CommsApprover}"]),
        })
        {
            var response = await OperatorTestSupport.SignInAsync(client, email, OperatorSeed.DefaultPassword);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.IsSuccessStatusCode, $"{email}: {body}");
            var jwt = new JsonWebToken(body.GetProperty("accessToken").GetString()!);
            Assert.Equal(roles, jwt.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
            Assert.Equal(tenantRoles, jwt.Claims.Where(c => c.Type == "tenant_roles").Select(c => c.Value));
        }
    }
}
