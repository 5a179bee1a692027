using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Auth;
using Comms.Core.Messages;
using Comms.Core.Operators;
using Comms.Core.Preferences;
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
/// Sending a broadcast: the 412 gate (this operator's own test send within 30 minutes; a second operator must test
/// again), fresh-auth, and the send to a small multi-tenant audience arriving in MailDev exactly once per recipient,
/// with suppressions respected and the progress counted.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class BroadcastSendTests(CommsFixture fixture)
{
    private readonly BroadcastSupport _support = new(fixture);

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string typeEnding)
    {
        var problem = await OperatorTestSupport.ProblemAsync(response);
        Assert.Equal(status, problem.Status);
        Assert.EndsWith(typeEnding, problem.Type, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_send_needs_this_operators_own_recent_test_send_and_a_handover_forces_a_fresh_one()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var (first, firstToken) = await _support.OperatorAsync();
        var (second, secondToken) = await _support.OperatorAsync();
        var id = await _support.CreateAsync(BroadcastSupport.Draft(new { tenants = new[] { tenant.Id } }, subject: "Gate {{ tenant.id }}"), firstToken);

        await AssertProblemAsync(await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", firstToken), 412, "SysBroadcastTestSendRequired");
        await AssertProblemAsync(await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", CommsFixture.SysKey), 403, "COMMS_FORBIDDEN");
        await AssertProblemAsync(await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/test-send", CommsFixture.SysKey), 403, "COMMS_FORBIDDEN");

        var test = await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/test-send", firstToken);
        Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        var toOperator = await fixture.Mailbox.WaitForOneToAsync(first.Email!);
        Assert.Equal($"Gate {tenant.Id}", toOperator.Subject);
        Assert.Empty(await fixture.Mailbox.ToAsync(tenant.EmailOf("ann")));
        await using (var db = fixture.CreateDbContext())
        {
            Assert.True(await db.SysBroadcastTestSends.AnyAsync(t => t.BroadcastId == id && t.OperatorId == first.Id));
        }

        // Handover: the second operator has not tested this broadcast.
        await AssertProblemAsync(await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", secondToken), 412, "SysBroadcastTestSendRequired");

        // A test send older than 30 minutes does not count.
        await using (var db = fixture.CreateDbContext())
        {
            await db.SysBroadcastTestSends.Where(t => t.BroadcastId == id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.TestSentAt, DateTimeOffset.UtcNow.AddMinutes(-31)));
        }

        await AssertProblemAsync(await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", firstToken), 412, "SysBroadcastTestSendRequired");

        // The second operator tests, then may send.
        Assert.Equal(HttpStatusCode.Accepted, (await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/test-send", secondToken)).StatusCode);
        var sent = await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", secondToken);
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("ann"));

        await AssertProblemAsync(await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", secondToken), 409, "COMMS_CONFLICT");
        await AssertProblemAsync(await _support.SendAsync(HttpMethod.Put, $"/sys/broadcasts/{id}", secondToken,
            BroadcastSupport.Draft(new { allTenants = true })), 409, "COMMS_CONFLICT");

        await using var audit = fixture.CreateDbContext();
        var actions = await audit.AuditLog.AsNoTracking().Where(a => a.Target == "broadcast:" + id).OrderBy(a => a.Id)
            .Select(a => a.Actor + " " + a.Action).ToListAsync();
        Assert.Equal([$"operator:{first.Id} sys.broadcast.created", $"operator:{first.Id} sys.broadcast.test_sent",
            $"operator:{second.Id} sys.broadcast.test_sent", $"operator:{second.Id} sys.broadcast.sent"], actions);
    }

    [Fact]
    public async Task A_change_to_the_draft_clears_the_test_send_and_the_next_test_and_the_send_carry_the_new_text()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var (op, token) = await _support.OperatorAsync();
        var id = await _support.CreateAsync(BroadcastSupport.Draft(new { tenants = new[] { tenant.Id } }), token);
        Assert.Equal(HttpStatusCode.Accepted, (await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/test-send", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _support.SendAsync(HttpMethod.Put, $"/sys/broadcasts/{id}", token,
            BroadcastSupport.Draft(new { tenants = new[] { tenant.Id } }, body: "Changed text"))).StatusCode);
        await AssertProblemAsync(await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", token), 412, "SysBroadcastTestSendRequired");

        // The next test and the send carry the changed text (the first test's text is gone).
        Assert.Equal(HttpStatusCode.Accepted, (await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/test-send", token)).StatusCode);
        await Poll.UntilAsync(async () => (await fixture.Mailbox.ToAsync(op.Email!)).Any(m => m.Text?.Contains("Changed text", StringComparison.Ordinal) == true),
            "the second test with the changed text");
        Assert.Equal(HttpStatusCode.Accepted, (await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", token)).StatusCode);
        var mail = await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf("ann"));
        Assert.Contains("Changed text", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Hello", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_operator_token_is_refused_the_send_with_fresh_auth_required()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var (op, token) = await _support.OperatorAsync();
        var id = await _support.CreateAsync(BroadcastSupport.Draft(new { tenants = new[] { tenant.Id } }), token);
        Assert.Equal(HttpStatusCode.Accepted, (await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/test-send", token)).StatusCode);

        string stale;
        await using (var scope = fixture.Api.Services.CreateAsyncScope())
        {
            var then = DateTimeOffset.UtcNow.AddMinutes(-6);
            var tokens = new OperatorTokens(scope.ServiceProvider.GetRequiredService<IOptions<OperatorOptions>>(),
                scope.ServiceProvider.GetRequiredService<IOptions<UserTokenOptions>>(), new FakeTimeProvider(then));
            var user = (await scope.ServiceProvider.GetRequiredService<UserManager<Operator>>().FindByIdAsync(op.Id.ToString()))!;
            stale = tokens.Issue(await scope.ServiceProvider.GetRequiredService<OperatorSignIn>().ClaimsAsync(user, then, CancellationToken.None));
        }

        await AssertProblemAsync(await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", stale), 401, "COMMS_FRESH_AUTH_REQUIRED");
        Assert.Equal("draft", (await _support.GetAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_send_to_a_multi_tenant_audience_arrives_once_per_recipient_and_skips_the_suppressed()
    {
        var one = await TestTenant.CreateAsync(fixture, "ann", "ben", "cy");
        var two = await TestTenant.CreateAsync(fixture, "dee", "eve");
        var outsider = await TestTenant.CreateAsync(fixture, "zed");
        await using (var db = fixture.CreateDbContext())
        {
            db.Suppressions.Add(new Suppression
            {
                TenantId = two.Id, Channel = Channel.Email, AddressHash = Suppression.Hash(two.EmailOf("eve").ToUpperInvariant()),
                Reason = "hard bounce", CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        var (op, token) = await _support.OperatorAsync();
        var subject = "Multi " + Guid.NewGuid().ToString("N")[..6];
        var id = await _support.CreateAsync(BroadcastSupport.Draft(new { tenants = new[] { one.Id, two.Id } }, subject: subject), token);
        Assert.Equal((5L, 2), await _support.CountAsync(id));
        Assert.Equal(HttpStatusCode.Accepted, (await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/test-send", token)).StatusCode);
        await fixture.Mailbox.WaitForOneToAsync(op.Email!);

        var sent = await _support.SendAsync(HttpMethod.Post, $"/sys/broadcasts/{id}/send", token);
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var receipt = await sent.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, receipt.GetProperty("events").GetInt32());

        var done = await Poll.UntilAsync(async () =>
        {
            var view = await _support.GetAsync(id);
            return view.GetProperty("status").GetString() == "sent" ? (JsonElement?)view : null;
        }, "the broadcast to be sent");
        var email = done!.Value.GetProperty("progress").GetProperty("email");
        // The operator's own row in the first tenant (made by the test send) is part of that tenant's audience now.
        Assert.Equal((5L, 1L, 0L, 0L), (email.GetProperty("sent").GetInt64(), email.GetProperty("suppressed").GetInt64(),
            email.GetProperty("queued").GetInt64(), email.GetProperty("failed").GetInt64()));

        foreach (var (tenant, user) in new[] { (one, "ann"), (one, "ben"), (one, "cy"), (two, "dee") })
        {
            var mail = await fixture.Mailbox.WaitForOneToAsync(tenant.EmailOf(user));
            Assert.Equal(subject, mail.Subject);
            Assert.Contains($"Hello {user},", mail.Text, StringComparison.Ordinal);
        }

        // 4 users + the operator's test + the operator's own row (sent before MailDev lists it: wait for it).
        await Poll.UntilAsync(async () => (await fixture.Mailbox.AllAsync()).Count(m => m.Subject == subject) >= 6, "every mail of the broadcast");
        var all = await fixture.Mailbox.AllAsync();
        Assert.DoesNotContain(all, m => m.Subject == subject && m.To.Any(t => t.Address == two.EmailOf("eve") || t.Address == outsider.EmailOf("zed")));
        Assert.Equal(6, all.Count(m => m.Subject == subject));
        Assert.All(all.Where(m => m.Subject == subject && m.To.Any(t => t.Address != op.Email)).GroupBy(m => m.To[0].Address),
            g => Assert.Single(g));
    }
}
