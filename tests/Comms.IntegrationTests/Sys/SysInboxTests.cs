using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Operators;
using Comms.IntegrationTests.Auth;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.Sys;

/// <summary>
/// The operator inbox under <c>/sys/inbox</c>: list filters, assign (self and another operator), a reply that reaches
/// the sender by email with the right threading headers (and whose answer threads back by In-Reply-To and by the
/// reply-address token), close and reopen; and every step in <c>GET /sys/audit</c>.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class SysInboxTests(CommsFixture fixture)
{
    private static string Id(string label) => $"{label}.{Guid.NewGuid():N}@mail.example.net";

    private static HttpRequestMessage Call(HttpMethod method, string path, string bearer, object? body = null) =>
        new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) }.With(bearer);

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string> ReceiveAsync(HttpClient client, InboundParsePost post) =>
        (await OkAsync(await client.SendAsync(post.Request()))).GetProperty("threadId").GetString()!;

    private static async Task<List<string>> ListAsync(HttpClient client, string token, string status) =>
        [.. (await OkAsync(await client.SendAsync(Call(HttpMethod.Get, $"/sys/inbox?status={status}&limit=200", token))))
            .GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()!)];

    [Fact]
    public async Task An_operator_assigns_replies_by_email_closes_and_reopens_and_every_step_is_audited()
    {
        var client = fixture.Api.CreateClient();
        var op = await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.SysOperator);
        var other = await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.SysOperator);
        var token = await OperatorTestSupport.TokenAsync(client, op.Email!);
        var sender = $"user-{Guid.NewGuid():N}@example.net";
        var first = Id("question");
        var threadId = await ReceiveAsync(client, InboundParsePost.Mail(sender, "When is the maintenance?", first));

        Assert.Contains(threadId, await ListAsync(client, token, "open"));
        Assert.DoesNotContain(threadId, await ListAsync(client, token, "assigned_to_me"));

        // Assign to self (no body), then to another operator, then back.
        var assigned = await OkAsync(await client.SendAsync(Call(HttpMethod.Post, $"/sys/inbox/{threadId}/assign", token, new { })));
        Assert.Equal(op.Id.ToString(), assigned.GetProperty("thread").GetProperty("assignedOperatorId").GetString());
        Assert.Contains(threadId, await ListAsync(client, token, "assigned_to_me"));
        await OkAsync(await client.SendAsync(Call(HttpMethod.Post, $"/sys/inbox/{threadId}/assign", CommsFixture.SysKey, new { operatorId = other.Id })));
        Assert.DoesNotContain(threadId, await ListAsync(client, token, "assigned_to_me"));
        await OkAsync(await client.SendAsync(Call(HttpMethod.Post, $"/sys/inbox/{threadId}/assign", token, new { operatorId = op.Id })));

        // The reply goes out by email, In-Reply-To the sender's mail, and is kept in the thread.
        var reply = await OkAsync(await client.SendAsync(Call(HttpMethod.Post, $"/sys/inbox/{threadId}/reply", token,
            new { body = "It starts Sunday 02:00 UTC and takes an hour." })), HttpStatusCode.Accepted);
        Assert.Equal(("outbound", "queued"), (reply.GetProperty("direction").GetString(), reply.GetProperty("status").GetString()));
        var email = await fixture.Mailbox.WaitForOneToAsync(sender);
        Assert.Equal("Re: When is the maintenance?", email.Subject);
        Assert.Contains("Sunday 02:00 UTC", email.Text, StringComparison.Ordinal);
        var source = await fixture.Mailbox.SourceAsync(email.Id);
        Assert.Equal($"<{first}>", MailDevClient.RawHeader(source, "In-Reply-To"));
        Assert.Equal($"<{first}>", MailDevClient.RawHeader(source, "References"));
        var replyTo = MailDevClient.RawHeader(source, "Reply-To")!;
        Assert.Matches(@"reply\+[0-9a-f]{32}@inbound\.example\.test", replyTo);
        var sent = await Poll.UntilAsync(async () =>
        {
            var thread = await OkAsync(await client.SendAsync(Call(HttpMethod.Get, $"/sys/inbox/{threadId}", token)));
            var last = thread.GetProperty("messages").EnumerateArray().Last();
            return last.GetProperty("status").GetString() == "sent" ? (JsonElement?)last : null;
        }, "the reply marked sent");
        var replyMessageId = sent!.Value.GetProperty("messageId").GetString()!;
        Assert.Equal($"<{replyMessageId}>", MailDevClient.RawHeader(source, "Message-ID"));

        // The sender answers the reply: threaded by In-Reply-To our reply's id, and (another answer) by the reply-address token alone.
        var answer = await OkAsync(await client.SendAsync(InboundParsePost.Mail(sender, "Re: Re: When is the maintenance?", Id("answer"),
            inReplyTo: replyMessageId).Request()));
        Assert.Equal((threadId, "references"), (answer.GetProperty("threadId").GetString(), answer.GetProperty("threadedBy").GetString()));
        var token2 = System.Text.RegularExpressions.Regex.Match(replyTo, @"reply\+[0-9a-f]{32}@inbound\.example\.test").Value;
        var byToken = await OkAsync(await client.SendAsync(InboundParsePost.Mail(sender, "One more thing", Id("token"), to: token2).Request()));
        Assert.Equal((threadId, "reply_token"), (byToken.GetProperty("threadId").GetString(), byToken.GetProperty("threadedBy").GetString()));

        // Close: off the open list, on the closed one; reopen: back.
        var closed = await OkAsync(await client.SendAsync(Call(HttpMethod.Post, $"/sys/inbox/{threadId}/close", token)));
        Assert.Equal("closed", closed.GetProperty("thread").GetProperty("status").GetString());
        Assert.Contains(threadId, await ListAsync(client, token, "closed"));
        Assert.DoesNotContain(threadId, await ListAsync(client, token, "open"));
        var reopened = await OkAsync(await client.SendAsync(Call(HttpMethod.Post, $"/sys/inbox/{threadId}/reopen", token)));
        Assert.Equal("open", reopened.GetProperty("thread").GetProperty("status").GetString());
        Assert.Contains(threadId, await ListAsync(client, token, "open"));

        // The audit log: every write on this thread, newest first, without bodies or addresses.
        var audit = await OkAsync(await client.SendAsync(Call(HttpMethod.Get, $"/sys/audit?target=inbox-thread:{threadId}&limit=200", token)));
        var rows = audit.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["sys.inbox.reopened", "sys.inbox.closed", "sys.inbox.received", "sys.inbox.received", "sys.inbox.replied",
            "sys.inbox.assigned", "sys.inbox.assigned", "sys.inbox.assigned", "sys.inbox.received"], rows.Select(r => r.GetProperty("action").GetString()));
        Assert.Equal("operator:" + op.Id, rows[0].GetProperty("actor").GetString());
        Assert.Equal("sys", rows[6].GetProperty("actor").GetString());
        Assert.Equal("provider:sendgrid", rows[^1].GetProperty("actor").GetString());
        var raw = audit.ToString();
        Assert.DoesNotContain(sender, raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Sunday 02:00", raw, StringComparison.Ordinal);

        // Filters: actor and an action prefix; paging with a cursor.
        var mine = await OkAsync(await client.SendAsync(Call(HttpMethod.Get, $"/sys/audit?actor=operator:{op.Id}&action=sys.inbox.", token)));
        Assert.Equal(["sys.inbox.reopened", "sys.inbox.closed", "sys.inbox.replied", "sys.inbox.assigned", "sys.inbox.assigned"],
            mine.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("action").GetString()));
        var exact = await OkAsync(await client.SendAsync(Call(HttpMethod.Get, $"/sys/audit?actor=operator:{op.Id}&action=sys.inbox.assigned", token)));
        Assert.Equal(2, exact.GetProperty("items").GetArrayLength());
        var page1 = await OkAsync(await client.SendAsync(Call(HttpMethod.Get, $"/sys/audit?target=inbox-thread:{threadId}&limit=4", CommsFixture.SysKey)));
        var cursor = page1.GetProperty("nextCursor").GetString();
        var page2 = await OkAsync(await client.SendAsync(Call(HttpMethod.Get, $"/sys/audit?target=inbox-thread:{threadId}&limit=4&cursor={cursor}", CommsFixture.SysKey)));
        Assert.Equal(rows.Skip(4).Take(4).Select(r => r.GetProperty("id").GetInt64()),
            page2.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
        var future = await OkAsync(await client.SendAsync(Call(HttpMethod.Get, $"/sys/audit?target=inbox-thread:{threadId}&from=2099-01-01T00:00:00Z", token)));
        Assert.Equal(0, future.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("/sys/inbox?status=pending", "status")]
    [InlineData("/sys/inbox?limit=0", "limit")]
    [InlineData("/sys/inbox?cursor=not-a-cursor", "cursor")]
    [InlineData("/sys/audit?from=yesterday", "from")]
    [InlineData("/sys/audit?from=2026-11-27T00:00:00Z&to=2026-11-26T00:00:00Z", "to")]
    [InlineData("/sys/audit?limit=500", "limit")]
    [InlineData("/sys/audit?cursor=zzz", "cursor")]
    public async Task Bad_filters_are_400_naming_the_parameter(string path, string parameter)
    {
        var problem = await OperatorTestSupport.ProblemAsync(await fixture.Api.CreateClient().SendAsync(Call(HttpMethod.Get, path, CommsFixture.SysKey)));
        Assert.Equal((400, "COMMS_VALIDATION"), (problem.Status, problem.Type));
        Assert.True(problem.Body.GetProperty("errors").TryGetProperty(parameter, out _), problem.Body.ToString());
    }

    [Fact]
    public async Task Unknown_threads_empty_replies_and_unknown_operators_are_refused()
    {
        var client = fixture.Api.CreateClient();
        var threadId = await ReceiveAsync(client, InboundParsePost.Mail($"x-{Guid.NewGuid():N}@example.net", "Hi", Id("hi")));
        var unknown = Guid.NewGuid();
        foreach (var action in new[] { "close", "reopen", "assign" })
        {
            var problem = await OperatorTestSupport.ProblemAsync(await client.SendAsync(Call(HttpMethod.Post, $"/sys/inbox/{unknown}/{action}", CommsFixture.SysKey,
                action == "assign" ? new { operatorId = (await OperatorTestSupport.CreateAsync(fixture, OperatorRoles.SysOperator)).Id } : null)));
            Assert.Equal((404, "COMMS_NOT_FOUND"), (problem.Status, problem.Type));
        }

        var get = await OperatorTestSupport.ProblemAsync(await client.SendAsync(Call(HttpMethod.Get, $"/sys/inbox/{unknown}", CommsFixture.SysKey)));
        Assert.Equal(404, get.Status);
        var empty = await OperatorTestSupport.ProblemAsync(await client.SendAsync(Call(HttpMethod.Post, $"/sys/inbox/{threadId}/reply", CommsFixture.SysKey, new { body = " " })));
        Assert.Equal((400, "COMMS_VALIDATION"), (empty.Status, empty.Type));
        Assert.True(empty.Body.GetProperty("errors").TryGetProperty("body", out _));
        var nobody = await OperatorTestSupport.ProblemAsync(await client.SendAsync(Call(HttpMethod.Post, $"/sys/inbox/{threadId}/assign", CommsFixture.SysKey,
            new { operatorId = Guid.NewGuid() })));
        Assert.True(nobody.Body.GetProperty("errors").TryGetProperty("operatorId", out _));
        var self = await OperatorTestSupport.ProblemAsync(await client.SendAsync(Call(HttpMethod.Post, $"/sys/inbox/{threadId}/assign", CommsFixture.SysKey, new { })));
        Assert.True(self.Body.GetProperty("errors").TryGetProperty("operatorId", out _));
        var mine = await OperatorTestSupport.ProblemAsync(await client.SendAsync(Call(HttpMethod.Get, "/sys/inbox?status=assigned_to_me", CommsFixture.SysKey)));
        Assert.True(mine.Body.GetProperty("errors").TryGetProperty("status", out _));

        // Tenant credentials and no credential at all are refused.
        var anonymous = await client.GetAsync("/sys/inbox");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var audit = await client.GetAsync("/sys/audit");
        Assert.Equal(HttpStatusCode.Unauthorized, audit.StatusCode);
    }
}
