using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Auth;
using Comms.Core.Operators;
using Comms.IntegrationTests.Auth;
using Comms.IntegrationTests.Infrastructure;
using Comms.TestServers;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Comms.IntegrationTests.Sys;

/// <summary>
/// <c>POST /sys/users/{id}/messages</c>: an operator's direct message to one user — the reason, fresh-auth, the test send
/// to the operator's own email that must precede the real send of the same text, delivery through the pipeline, the
/// user's dm_muted channels reported as suppressed, 5 per operator per user per 24 hours, and the audit rows.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class SysDirectMessagesTests(CommsFixture fixture)
{
    private static object Message(bool testSend, string body = "Your booking was moved to Friday; sorry for the trouble.", string[]? channels = null,
        string reason = "Support ticket 4711: booking moved") =>
        new { channels = channels ?? ["email"], subject = "About your booking", body, reason, testSend };

    private static HttpRequestMessage Post(Guid id, object body, string token) =>
        new HttpRequestMessage(HttpMethod.Post, $"/sys/users/{id}/messages") { Content = JsonContent.Create(body) }.With(token);

    private async Task<(TestTenant Tenant, Guid UserId, Operator Op, string Token, HttpClient Client)> SetUpAsync(string[]? dmMuted = null)
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var user = await tenant.AddRecipientAsync("alice", r => r.DmMutedChannels = dmMuted ?? []);
        var op = await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.SysOperator);
        var client = fixture.Api.CreateClient();
        return (tenant, user.Id, op, await OperatorTestSupport.TokenAsync(client, op.Email!), client);
    }

    [Fact]
    public async Task A_short_reason_is_422_naming_reason_and_the_platform_key_is_refused()
    {
        var (_, userId, _, token, client) = await SetUpAsync();

        var problem = await OperatorTestSupport.ProblemAsync(await client.SendAsync(Post(userId, Message(true, reason: "because"), token)));
        Assert.Equal((422, "COMMS_VALIDATION"), (problem.Status, problem.Type));
        Assert.True(problem.Body.GetProperty("errors").TryGetProperty("reason", out _));

        var automation = await OperatorTestSupport.ProblemAsync(await client.SendAsync(Post(userId, Message(true), CommsFixture.SysKey)));
        Assert.Equal((403, "COMMS_FORBIDDEN"), (automation.Status, automation.Type));

        var unknown = await OperatorTestSupport.ProblemAsync(await client.SendAsync(Post(Guid.NewGuid(), Message(true), token)));
        Assert.Equal((404, "COMMS_RECIPIENT_NOT_FOUND"), (unknown.Status, unknown.Type));
    }

    [Fact]
    public async Task A_stale_token_is_refused_with_fresh_auth_required()
    {
        var (_, userId, op, _, client) = await SetUpAsync();
        string stale;
        await using (var scope = fixture.Api.Services.CreateAsyncScope())
        {
            var then = DateTimeOffset.UtcNow.AddMinutes(-6);
            var tokens = new OperatorTokens(scope.ServiceProvider.GetRequiredService<IOptions<OperatorOptions>>(),
                scope.ServiceProvider.GetRequiredService<IOptions<UserTokenOptions>>(), new FakeTimeProvider(then));
            var user = (await scope.ServiceProvider.GetRequiredService<UserManager<Operator>>().FindByIdAsync(op.Id.ToString()))!;
            stale = tokens.Issue(await scope.ServiceProvider.GetRequiredService<OperatorSignIn>().ClaimsAsync(user, then, CancellationToken.None));
        }

        var refused = await client.SendAsync(Post(userId, Message(true), stale));
        var problem = await OperatorTestSupport.ProblemAsync(refused);
        Assert.Equal((401, "COMMS_FRESH_AUTH_REQUIRED"), (problem.Status, problem.Type));
        Assert.Contains("insufficient_user_authentication", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_send_needs_a_test_send_of_the_same_text_which_reaches_the_operator_then_the_user_gets_it()
    {
        var (tenant, userId, op, token, client) = await SetUpAsync();

        var before = await OperatorTestSupport.ProblemAsync(await client.SendAsync(Post(userId, Message(false), token)));
        Assert.Equal(412, before.Status);
        Assert.EndsWith("SysDirectMessageTestSendRequired", before.Type, StringComparison.Ordinal);

        var test = await client.SendAsync(Post(userId, Message(true, channels: ["email", "in_app"]), token));
        Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        var testReceipt = await test.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(testReceipt.GetProperty("testSend").GetBoolean());
        var toOperator = await fixture.Mailbox.WaitForOneToAsync(op.Email!);
        Assert.Equal("About your booking", toOperator.Subject);
        Assert.Contains("moved to Friday", toOperator.Text, StringComparison.Ordinal);
        Assert.Empty(await fixture.Mailbox.ToAsync(tenant.EmailOf("alice")));

        // A test send of another body does not unlock this one.
        var other = await OperatorTestSupport.ProblemAsync(await client.SendAsync(Post(userId, Message(false, body: "Something else entirely."), token)));
        Assert.Equal(412, other.Status);
        Assert.EndsWith("SysDirectMessageTestSendRequired", other.Type, StringComparison.Ordinal);

        var sent = await client.SendAsync(Post(userId, Message(false, channels: ["email", "in_app"]), token));
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var receipt = await sent.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(receipt.GetProperty("testSend").GetBoolean());
        Assert.Equal(["email:queued", "in_app:queued"], receipt.GetProperty("channels").EnumerateArray()
            .Select(c => $"{c.GetProperty("channel").GetString()}:{c.GetProperty("status").GetString()}").Order());

        var email = await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("alice"));
        Assert.Equal("About your booking", email.Subject);
        var inbox = (await Poll.UntilAsync(async () =>
        {
            var page = await tenant.UserClient("alice").GetFromJsonAsync<JsonElement>("/me/notifications");
            return page.GetProperty("items").GetArrayLength() == 1 ? (JsonElement?)page : null;
        }, "alice's inbox item"))!.Value;
        Assert.Equal("About your booking", inbox.GetProperty("items")[0].GetProperty("title").GetString());

        await using var db = fixture.CreateDbContext();
        var audit = await db.AuditLog.AsNoTracking().Where(a => a.Actor == "operator:" + op.Id).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(["sys.user.direct_message.test_send", "sys.user.direct_message.sent"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal("recipient:" + userId, a.Target));
        Assert.All(audit, a => Assert.Contains("Support ticket 4711", a.Metadata, StringComparison.Ordinal));
        Assert.All(audit, a => Assert.DoesNotContain("moved to Friday", a.Metadata, StringComparison.Ordinal));
        Assert.Contains("\"receipt\"", audit[1].Metadata, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_muted_channel_is_skipped_and_reported_as_suppressed()
    {
        var (tenant, userId, _, token, client) = await SetUpAsync(dmMuted: ["email"]);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Post(userId, Message(true, channels: ["email", "in_app"]), token))).StatusCode);

        var sent = await client.SendAsync(Post(userId, Message(false, channels: ["email", "in_app"]), token));
        var receipt = await sent.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var channels = receipt.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!);
        Assert.Equal("suppressed", channels["email"].GetProperty("status").GetString());
        Assert.Equal("dm_muted", channels["email"].GetProperty("reason").GetString());
        Assert.Equal("queued", channels["in_app"].GetProperty("status").GetString());
        Assert.Equal(1, receipt.GetProperty("eventIds").GetArrayLength());

        await Poll.UntilAsync(async () =>
        {
            var page = await tenant.UserClient("alice").GetFromJsonAsync<JsonElement>("/me/notifications");
            return page.GetProperty("items").GetArrayLength() == 1 ? (JsonElement?)page : null;
        }, "alice's inbox item");
        Assert.Empty(await fixture.Mailbox.ToAsync(tenant.EmailOf("alice")));
    }

    [Fact]
    public async Task The_sixth_real_send_within_24_hours_is_429_with_retry_after()
    {
        var (_, userId, op, token, client) = await SetUpAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Post(userId, Message(true, channels: ["in_app"]), token))).StatusCode);

        // Five at once: the limit check and the insert are atomic, so all five fit and none more.
        var five = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.SendAsync(Post(userId, Message(false, channels: ["in_app"]), token))));
        Assert.All(five, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));

        var sixth = await client.SendAsync(Post(userId, Message(false, channels: ["in_app"]), token));
        var problem = await OperatorTestSupport.ProblemAsync(sixth);
        Assert.Equal((429, "COMMS_RATE_LIMITED"), (problem.Status, problem.Type));
        var retryAfter = int.Parse(sixth.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 86_000, 86_400);

        await using var db = fixture.CreateDbContext();
        Assert.Equal(5, await db.SysDirectMessages.CountAsync(d => d.OperatorId == op.Id && d.Kind == "sent"));
        Assert.Equal(5, await db.AuditLog.CountAsync(a => a.Actor == "operator:" + op.Id && a.Action == "sys.user.direct_message.sent"));
    }
}
