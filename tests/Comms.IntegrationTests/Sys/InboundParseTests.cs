using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Comms.IntegrationTests.Auth;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Sys;

/// <summary>
/// <c>POST /webhooks/sendgrid/inbound</c>: SendGrid Inbound Parse's multipart post, basic auth, the size cap, malformed
/// posts (400 naming the field, nothing stored) and threading by In-Reply-To/References.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class InboundParseTests(CommsFixture fixture)
{
    private static string Id(string label) => $"{label}.{Guid.NewGuid():N}@mail.example.net";

    private async Task<JsonElement> PostAsync(HttpClient client, InboundParsePost post)
    {
        var response = await client.SendAsync(post.Request());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private async Task<JsonElement> ThreadAsync(HttpClient client, string threadId) =>
        await (await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/sys/inbox/{threadId}").With(CommsFixture.SysKey)))
            .Content.ReadFromJsonAsync<JsonElement>();

    [Fact]
    public async Task A_mail_starts_a_thread_and_a_reply_with_In_Reply_To_or_References_joins_it()
    {
        var client = fixture.Api.CreateClient();
        var first = Id("first");
        var sender = $"alice-{Guid.NewGuid():N}@example.net";
        var started = await PostAsync(client, InboundParsePost.Mail(sender, "Question about the maintenance", first)
            .Set("attachments", "1")
            .Set("attachment-info", """{"attachment1":{"filename":"screenshot.png","name":"screenshot.png","type":"image/png"}}""")
            .File("attachment1", "screenshot.png", "image/png", new byte[2048]));
        Assert.Equal("new", started.GetProperty("threadedBy").GetString());
        var threadId = started.GetProperty("threadId").GetString()!;

        // Another, unrelated mail: a thread of its own.
        var other = await PostAsync(client, InboundParsePost.Mail(sender, "Something else", Id("other")));
        Assert.NotEqual(threadId, other.GetProperty("threadId").GetString());

        var reply = await PostAsync(client, InboundParsePost.Mail(sender, "Re: Question about the maintenance", Id("second"), inReplyTo: first,
            text: "Und noch etwas: Grüße aus Köln")
            .Set("text", "Und noch etwas: Grüße aus Köln\n", Encoding.Latin1)
            .Set("charsets", """{"to":"UTF-8","html":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"iso-8859-1"}"""));
        Assert.Equal((threadId, "references"), (reply.GetProperty("threadId").GetString(), reply.GetProperty("threadedBy").GetString()));

        // References only (no In-Reply-To), the known id among others.
        var third = await PostAsync(client, InboundParsePost.Mail(sender, "Re: Re: Question", Id("third"),
            references: $"<{first}> <unknown-{Guid.NewGuid():N}@elsewhere.example>"));
        Assert.Equal(threadId, third.GetProperty("threadId").GetString());

        var thread = await ThreadAsync(client, threadId);
        var messages = thread.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(3, messages.Count);
        Assert.All(messages, m => Assert.Equal("inbound", m.GetProperty("direction").GetString()));
        Assert.Equal(sender, messages[0].GetProperty("from").GetString());
        Assert.Equal(first, messages[0].GetProperty("messageId").GetString());
        Assert.Contains("Received: by mx0047p1mdw1.sendgrid.net", messages[0].GetProperty("headers").GetString(), StringComparison.Ordinal);
        var attachment = messages[0].GetProperty("attachments")[0];
        Assert.Equal(("attachment1", "screenshot.png", "image/png", 2048),
            (attachment.GetProperty("field").GetString(), attachment.GetProperty("filename").GetString(), attachment.GetProperty("type").GetString(),
             attachment.GetProperty("size").GetInt32()));
        Assert.Equal("Und noch etwas: Grüße aus Köln\n", messages[1].GetProperty("text").GetString());
        Assert.Equal(first, messages[1].GetProperty("inReplyTo").GetString());
        Assert.Equal("Question about the maintenance", thread.GetProperty("thread").GetProperty("subject").GetString());
        Assert.Equal(sender, thread.GetProperty("thread").GetProperty("counterpart").GetString());

        // SendGrid retries: the same Message-Id again is not stored twice.
        var repeat = await PostAsync(client, InboundParsePost.Mail(sender, "Re: Re: Question", messages[2].GetProperty("messageId").GetString()!,
            references: $"<{first}>"));
        Assert.True(repeat.GetProperty("duplicate").GetBoolean());
        Assert.Equal(3, (await ThreadAsync(client, threadId)).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task A_reply_to_a_direct_message_joins_the_thread_of_that_direct_message()
    {
        var client = fixture.Api.CreateClient();
        var tenant = await TestTenant.CreateAsync(fixture);
        var user = await tenant.AddRecipientAsync("dora");
        var op = await OperatorTestSupport.CreateAsync(fixture, Comms.Core.Operators.OperatorRoles.SysOperator);
        var token = await OperatorTestSupport.TokenAsync(client, op.Email!);
        var send = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/sys/users/{user.Id}/messages")
        {
            Content = JsonContent.Create(new { channels = new[] { "email" }, subject = "Your account", body = "Please confirm your address.",
                reason = "Support ticket 99: address check", testSend = true }),
        }.With(token));
        var receipt = await send.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(send.StatusCode == HttpStatusCode.Accepted, receipt.ToString());
        var email = await fixture.Mailbox.WaitForOneToAsync(op.Email!);
        var dmMessageId = InboundMailIds(MailDevClient.RawHeader(await fixture.Mailbox.SourceAsync(email.Id), "Message-ID"));
        Assert.EndsWith($"@{tenant.Id}.comms", dmMessageId, StringComparison.Ordinal);

        var first = await PostAsync(client, InboundParsePost.Mail(op.Email!, "Re: Your account", Id("dm-reply"), inReplyTo: dmMessageId));
        Assert.Equal("related", first.GetProperty("threadedBy").GetString());
        var threadId = first.GetProperty("threadId").GetString()!;
        var thread = await ThreadAsync(client, threadId);
        Assert.Equal("sys-dm:" + receipt.GetProperty("id").GetString(), thread.GetProperty("thread").GetProperty("relatedTo").GetString());

        // A second answer to the same direct message (not to the first answer) joins the same thread.
        var second = await PostAsync(client, InboundParsePost.Mail(op.Email!, "Re: Your account", Id("dm-reply-2"), references: $"<{dmMessageId}>"));
        Assert.Equal((threadId, "related"), (second.GetProperty("threadId").GetString(), second.GetProperty("threadedBy").GetString()));
    }

    private static string InboundMailIds(string? header) => header!.Trim().TrimStart('<').TrimEnd('>');

    [Theory]
    [InlineData(null, null)]
    [InlineData("sendgrid", "wrong-password")]
    [InlineData("someone", CommsFixture.InboundPassword)]
    public async Task Without_the_right_basic_auth_it_is_401_and_nothing_is_stored(string? user, string? password)
    {
        var client = fixture.Api.CreateClient();
        var messageId = Id("unauthorized");
        var response = await client.SendAsync(InboundParsePost.Mail("mallory@example.net", "Let me in", messageId).Request(user, password));
        var problem = await OperatorTestSupport.ProblemAsync(response);
        Assert.Equal((401, "COMMS_UNAUTHORIZED"), (problem.Status, problem.Type));
        Assert.StartsWith("Basic", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.SupportInboxMessages.AnyAsync(m => m.MessageIdHeader == messageId));
    }

    [Fact]
    public async Task A_post_over_10_MB_is_413()
    {
        var client = fixture.Api.CreateClient();
        var post = InboundParsePost.Mail("big@example.net", "Huge", Id("huge"))
            .File("attachment1", "huge.bin", "application/octet-stream", new byte[10 * 1024 * 1024 + 1]);
        var problem = await OperatorTestSupport.ProblemAsync(await client.SendAsync(post.Request()));
        Assert.Equal((413, "COMMS_REQUEST_TOO_LARGE"), (problem.Status, problem.Type));
    }

    [Theory]
    [InlineData("from", null)]
    [InlineData("from", "not an address")]
    [InlineData("envelope", "{not json")]
    [InlineData("charsets", "[1,2]")]
    [InlineData("attachment-info", "\"nope\"")]
    [InlineData("attachments", "many")]
    public async Task A_malformed_post_is_400_naming_the_field_and_stores_nothing(string field, string? value)
    {
        var client = fixture.Api.CreateClient();
        var messageId = Id("malformed");
        var post = InboundParsePost.Mail("bob@example.net", "Broken", messageId);
        post = value is null ? post.Without(field) : post.Set(field, value);
        if (field == "from")
        {
            post = post.Without("envelope"); // else the envelope's sender (the return path) stands in
        }

        var problem = await OperatorTestSupport.ProblemAsync(await client.SendAsync(post.Request()));
        Assert.Equal((400, "COMMS_VALIDATION"), (problem.Status, problem.Type));
        Assert.True(problem.Body.GetProperty("errors").TryGetProperty(field, out _), problem.Body.ToString());
        await using var db = fixture.CreateDbContext();
        Assert.False(await db.SupportInboxMessages.AnyAsync(m => m.MessageIdHeader == messageId));
    }

    [Fact]
    public async Task A_body_that_is_not_multipart_or_is_cut_off_is_400()
    {
        var client = fixture.Api.CreateClient();
        var json = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sendgrid/inbound") { Content = JsonContent.Create(new { from = "a@example.net" }) };
        json.Headers.Authorization = InboundParsePost.Mail("a@example.net", "x", Id("x")).Request().Headers.Authorization;
        var notMultipart = await OperatorTestSupport.ProblemAsync(await client.SendAsync(json));
        Assert.Equal((400, "COMMS_VALIDATION"), (notMultipart.Status, notMultipart.Type));
        Assert.True(notMultipart.Body.GetProperty("errors").TryGetProperty("Content-Type", out _));

        var whole = InboundParsePost.Mail("a@example.net", "Cut", Id("cut")).Body();
        var cut = new ByteArrayContent(whole[..(whole.Length / 2)]);
        cut.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={InboundParsePost.Boundary}");
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sendgrid/inbound") { Content = cut };
        request.Headers.Authorization = json.Headers.Authorization;
        var truncated = await OperatorTestSupport.ProblemAsync(await client.SendAsync(request));
        Assert.Equal((400, "COMMS_VALIDATION"), (truncated.Status, truncated.Type));
        Assert.True(truncated.Body.GetProperty("errors").TryGetProperty("body", out _));
    }
}
