using System.Text.Json;
using Comms.Core.Messages;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using WireMock.Server;
using static Comms.IntegrationTests.Email.SendGridWorld;
using static Comms.IntegrationTests.Push.PushWorld;

namespace Comms.IntegrationTests.Email;

/// <summary>Email through SendGrid's v3 Mail Send API, against a fake speaking its wire format (PROVIDERS.md section 1).</summary>
[Collection(CommsCollection.Name)]
public sealed class SendGridTests(CommsFixture fixture)
{
    private static List<JsonElement> Bodies(WireMockServer sendGrid) =>
        Requests(sendGrid, SendPath).Select(r => JsonDocument.Parse(r.RequestMessage.Body!).RootElement).ToList();

    private static List<string> Recipients(JsonElement body) =>
        body.GetProperty("personalizations").EnumerateArray().Select(p => p.GetProperty("to")[0].GetProperty("email").GetString()!).ToList();

    [Fact]
    public async Task An_email_goes_to_sendgrid_field_by_field_and_is_sent_with_the_X_Message_Id()
    {
        using var sendGrid = StartSendGrid();
        await using var world = await CreateAsync(fixture);
        var tenant = await world.TenantAsync();
        await using var dispatcher = fixture.StartDispatcher(world.Settings(sendGrid));

        var id = (await world.QueueAsync(tenant, [("ann@example.test", Mail("Your order shipped", "It ships today.", "<p>It ships <b>today</b>.</p>"))],
            unsubscribeUrl: "https://comms.example/unsubscribe/tok123"))[0];
        var message = await world.WaitForFinalAsync(id);

        Assert.True(message.Status == MessageStatus.Sent, $"{message.Status}: {message.LastError}");
        var request = Assert.Single(Requests(sendGrid, SendPath));
        Assert.StartsWith("sg-", message.ProviderMessageId, StringComparison.Ordinal);
        Assert.Equal(message.ProviderMessageId, request.ResponseMessage.Headers!["X-Message-Id"].ToString());
        Assert.Equal("POST", request.RequestMessage.Method);
        Assert.Equal("Bearer " + ApiKey, Header(request, "Authorization"));
        Assert.StartsWith("application/json", Header(request, "Content-Type"), StringComparison.Ordinal);

        var body = JsonDocument.Parse(request.RequestMessage.Body!).RootElement;
        Assert.Equal("no-reply@comms.test", body.GetProperty("from").GetProperty("email").GetString());
        Assert.Equal("Comms Test", body.GetProperty("from").GetProperty("name").GetString());
        var content = body.GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(["text/plain", "text/html"], content.Select(c => c.GetProperty("type").GetString()));
        Assert.Equal(["It ships today.", "<p>It ships <b>today</b>.</p>"], content.Select(c => c.GetProperty("value").GetString()));

        var personalization = Assert.Single(body.GetProperty("personalizations").EnumerateArray());
        Assert.Equal("ann@example.test", Assert.Single(personalization.GetProperty("to").EnumerateArray()).GetProperty("email").GetString());
        Assert.Equal("Your order shipped", personalization.GetProperty("subject").GetString());
        var headers = personalization.GetProperty("headers");
        Assert.Equal("<https://comms.example/unsubscribe/tok123>, <mailto:unsubscribe@comms.test?subject=unsubscribe%20tok123>",
            headers.GetProperty("List-Unsubscribe").GetString());
        Assert.Equal("List-Unsubscribe=One-Click", headers.GetProperty("List-Unsubscribe-Post").GetString());
        Assert.Equal(id.ToString(), headers.GetProperty("X-Comms-Message-Id").GetString());
        var customArgs = personalization.GetProperty("custom_args");
        Assert.Equal(id.ToString(), customArgs.GetProperty("comms_message_id").GetString());
        Assert.Equal(tenant, customArgs.GetProperty("comms_tenant").GetString());
        Assert.False(personalization.TryGetProperty("substitutions", out _));
    }

    [Fact]
    public async Task One_request_carries_many_recipients_and_a_rejected_address_fails_alone_while_the_others_are_sent()
    {
        using var sendGrid = StartSendGrid();
        await using var world = await CreateAsync(fixture);
        var tenant = await world.TenantAsync();
        var addresses = Enumerable.Range(0, 40).Select(i => i == 17 ? "rejected@example.test" : $"user{i}@example.test").ToList();
        var ids = await world.QueueAsync(tenant, addresses.Select(a => (a, Mail("Weekly news"))));
        await using var dispatcher = fixture.StartDispatcher(world.Settings(sendGrid));

        var messages = (await world.WaitForAllFinalAsync(ids)).ToDictionary(m => m.Id);

        var bad = messages[ids[17]];
        Assert.Equal(MessageStatus.Failed, bad.Status);
        Assert.Equal(1, bad.Attempts);
        Assert.Equal("COMMS_PROVIDER_REJECTED: SendGrid answered 400: Does not contain a valid address. (personalizations.0.to.0.email)", bad.LastError);
        Assert.All(ids.Where((_, i) => i != 17), id => Assert.True(messages[id].Status == MessageStatus.Sent, $"{messages[id].Status}: {messages[id].LastError}"));
        Assert.All(ids.Where((_, i) => i != 17), id => Assert.Equal(1, messages[id].Attempts));

        var bodies = Bodies(sendGrid);
        Assert.Equal(addresses.Order(), Recipients(bodies[0]).Order()); // the whole batch in the first request
        Assert.True(bodies.Count <= 1 + (2 * 6), $"{bodies.Count} requests: the rejected one is found by halving, not one request per message");
        var accepted = Requests(sendGrid, SendPath).Where(r => Convert.ToInt32(r.ResponseMessage.StatusCode, System.Globalization.CultureInfo.InvariantCulture) == 202)
            .SelectMany(r => Recipients(JsonDocument.Parse(r.RequestMessage.Body!).RootElement)).ToList();
        Assert.Equal(addresses.Where(a => a != "rejected@example.test").Order(), accepted.Order()); // each good one accepted exactly once

        // One attempt row each, written with the batch's "sent" statement: provider, outcome and SendGrid's answer (never its text).
        await using var db = world.Db();
        var attempts = await db.MessageAttempts.AsNoTracking().Where(a => ids.Contains(a.MessageId)).ToListAsync();
        Assert.Equal(40, attempts.Count);
        Assert.All(attempts, a => Assert.Equal((1, "sendgrid"), (a.Attempt, a.Provider)));
        var rejected = Assert.Single(attempts, a => a.MessageId == ids[17]);
        Assert.Equal(("permanent", 400, "400 BadRequest", "COMMS_PROVIDER_REJECTED"), (rejected.Outcome, rejected.StatusCode, rejected.Response, rejected.ErrorCode));
        Assert.All(attempts.Where(a => a.MessageId != ids[17]), a =>
            Assert.Equal(("sent", 202, "202 Accepted", messages[a.MessageId].ProviderMessageId), (a.Outcome, a.StatusCode, a.Response, a.ProviderMessageId)));
        Assert.All(messages.Values, m => Assert.Equal("sendgrid", m.Provider));
    }

    [Fact]
    public async Task Recipients_with_content_of_their_own_share_a_request_through_per_personalization_substitutions()
    {
        using var sendGrid = StartSendGrid();
        await using var world = await CreateAsync(fixture);
        var tenant = await world.TenantAsync();
        var ids = await world.QueueAsync(tenant, Enumerable.Range(0, 5).Select(i =>
            ($"own{i}@example.test", Mail($"Hello {i}", $"Dear user {i}.", $"<p>Dear <b>user {i}</b>.</p>"))));
        await using var dispatcher = fixture.StartDispatcher(world.Settings(sendGrid));

        var messages = await world.WaitForAllFinalAsync(ids);

        Assert.All(messages, m => Assert.Equal(MessageStatus.Sent, m.Status));
        var body = Assert.Single(Bodies(sendGrid));
        var content = body.GetProperty("content").EnumerateArray().Select(c => (c.GetProperty("type").GetString(), c.GetProperty("value").GetString())).ToList();
        Assert.Equal([("text/plain", "-comms-text-"), ("text/html", "-comms-html-")], content);
        var personalizations = body.GetProperty("personalizations").EnumerateArray().ToList();
        Assert.Equal(5, personalizations.Count);
        foreach (var p in personalizations)
        {
            var i = ids.ToList().IndexOf(Guid.Parse(p.GetProperty("custom_args").GetProperty("comms_message_id").GetString()!));
            Assert.Equal($"own{i}@example.test", p.GetProperty("to")[0].GetProperty("email").GetString());
            Assert.Equal($"Hello {i}", p.GetProperty("subject").GetString());
            Assert.Equal($"Dear user {i}.", p.GetProperty("substitutions").GetProperty("-comms-text-").GetString());
            Assert.Equal($"<p>Dear <b>user {i}</b>.</p>", p.GetProperty("substitutions").GetProperty("-comms-html-").GetString());
        }
    }

    [Fact]
    public async Task A_claim_of_more_than_a_thousand_emails_goes_out_as_requests_of_at_most_a_thousand_personalizations()
    {
        using var sendGrid = StartSendGrid();
        await using var world = await CreateAsync(fixture);
        var tenant = await world.TenantAsync();
        var ids = await world.QueueAsync(tenant, Enumerable.Range(0, 1500).Select(i => ($"bulk{i}@example.test", Mail("Announcement"))));
        var settings = world.Settings(sendGrid);
        settings["Comms:Dispatcher:Channels:email:BatchSize"] = "10000";
        await using var dispatcher = fixture.StartDispatcher(settings);

        var messages = await world.WaitForAllFinalAsync(ids);

        Assert.All(messages, m => Assert.Equal(MessageStatus.Sent, m.Status));
        var sizes = Bodies(sendGrid).Select(b => Recipients(b).Count).Order().ToList();
        Assert.Equal([500, 1000], sizes); // one claim of 1,500 (not the default 100), split at SendGrid's 1,000
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task A_429_or_5xx_is_retried_and_the_email_is_sent_once(int status)
    {
        using var sendGrid = StartSendGrid(failFirst: 1, failStatus: status);
        await using var world = await CreateAsync(fixture);
        var tenant = await world.TenantAsync();
        await using var dispatcher = fixture.StartDispatcher(world.Settings(sendGrid));

        var id = (await world.QueueAsync(tenant, [("retry@example.test", Mail("Retry"))]))[0];
        var message = await world.WaitForFinalAsync(id);

        Assert.True(message.Status == MessageStatus.Sent, $"{message.Status}: {message.LastError}");
        Assert.Equal(2, message.Attempts);
        Assert.Equal([status, 202], Requests(sendGrid, SendPath).Select(r => Convert.ToInt32(r.ResponseMessage.StatusCode, System.Globalization.CultureInfo.InvariantCulture)));

        // Both attempts are recorded, with their outcomes and provider.
        await using var db = world.Db();
        var attempts = await db.MessageAttempts.AsNoTracking().Where(a => a.MessageId == id).OrderBy(a => a.StartedAt).ToListAsync();
        Assert.Equal(
            [(1, "sendgrid", "transient", (int?)status, $"{status} {(System.Net.HttpStatusCode)status}", (string?)null), (2, "sendgrid", "sent", 202, "202 Accepted", message.ProviderMessageId)],
            attempts.Select(a => (a.Attempt, a.Provider, a.Outcome, a.StatusCode, a.Response, a.ProviderMessageId)));
        Assert.Equal("sendgrid", message.Provider);
    }

    [Fact]
    public async Task A_401_fails_the_email_at_once_as_a_configuration_error_without_showing_the_key()
    {
        using var sendGrid = StartSendGrid();
        await using var world = await CreateAsync(fixture);
        var tenant = await world.TenantAsync();
        var settings = world.Settings(sendGrid);
        settings["Comms:Providers:SendGrid:ApiKey"] = "SG.wrong-key-that-must-not-leak";
        await using var dispatcher = fixture.StartDispatcher(settings);

        var id = (await world.QueueAsync(tenant, [("auth@example.test", Mail("Auth"))]))[0];
        var message = await world.WaitForFinalAsync(id);

        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.Equal(1, message.Attempts);
        Assert.Equal("COMMS_PROVIDER_CONFIG: SendGrid answered 401: The provided authorization grant is invalid, expired, or revoked", message.LastError);
        Assert.DoesNotContain("wrong-key", message.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_tenant_gets_its_own_provider_the_default_smtp_or_its_chosen_sendgrid()
    {
        using var sendGrid = StartSendGrid();
        await using var world = await CreateAsync(fixture);
        var onSendGrid = await world.TenantAsync(emailProvider: "sendgrid");
        var onDefault = await world.TenantAsync();
        var smtpAddress = $"smtp-{Guid.NewGuid():N}@example.test";
        var ids = (await world.QueueAsync(onSendGrid, [("chose-sendgrid@example.test", Mail("Via SendGrid"))]))
            .Concat(await world.QueueAsync(onDefault, [(smtpAddress, Mail("Via SMTP"))])).ToList();
        await using var dispatcher = fixture.StartDispatcher(world.Settings(sendGrid, defaultProvider: "smtp"));

        var messages = (await world.WaitForAllFinalAsync(ids)).ToDictionary(m => m.Id);

        Assert.All(messages.Values, m => Assert.True(m.Status == MessageStatus.Sent, $"{m.Status}: {m.LastError}"));
        Assert.Equal(["chose-sendgrid@example.test"], Bodies(sendGrid).SelectMany(Recipients));
        var caught = await fixture.Mailbox.WaitForOneToAsync(smtpAddress);
        Assert.True(caught.Subject == "Via SMTP", await fixture.Mailbox.SourceAsync(caught.Id));
        Assert.Empty(await fixture.Mailbox.ToAsync("chose-sendgrid@example.test"));
    }
}
