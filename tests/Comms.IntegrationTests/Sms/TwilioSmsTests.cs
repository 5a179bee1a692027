using System.Text;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Sms;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using static Comms.IntegrationTests.Push.PushWorld;
using static Comms.IntegrationTests.Sms.SmsWorld;

namespace Comms.IntegrationTests.Sms;

/// <summary>SMS through Twilio's Messages API, against a fake speaking its wire format (PROVIDERS.md section 6).</summary>
[Collection(CommsCollection.Name)]
public sealed class TwilioSmsTests(CommsFixture fixture)
{
    /// <summary>A fake that answers the given (status, body, headers) in turn, then 201.</summary>
    private static WireMockServer StartTwilio(params (int Status, string Body, (string, string)[] Headers)[] answers)
    {
        var server = WireMockServer.Start();
        var calls = 0;
        server.Given(Request.Create().WithPath(MessagesPath).UsingPost()).RespondWith(Response.Create().WithCallback(request =>
        {
            var call = Interlocked.Increment(ref calls) - 1;
            if (call < answers.Length)
            {
                return Json(answers[call].Status, answers[call].Body, answers[call].Headers);
            }

            var form = Form(request.Body ?? "");
            return Json(201, Created("SM" + Guid.NewGuid().ToString("N"), form["To"], form["Body"]));
        }));
        return server;
    }

    [Fact]
    public async Task An_sms_is_posted_form_encoded_with_basic_auth_and_is_sent_with_its_message_sid()
    {
        using var twilio = SmsWorld.StartTwilio();
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        await using var dispatcher = fixture.StartDispatcher(Settings(twilio));

        var id = (await QueueAsync(fixture, tenant, ("ann", "+15558675310", "Your code is 123456. Reply STOP to unsubscribe, HELP for help.")))[0];
        await Isolation.DirectQueue.WakeAsync(fixture, Channel.Sms);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.True(message.Status == MessageStatus.Sent, $"{message.Status}: {message.LastError}");
        Assert.Matches("^SM[0-9a-f]{32}$", message.ProviderMessageId);

        var request = Assert.Single(Requests(twilio, MessagesPath));
        Assert.Equal("POST", request.RequestMessage.Method);
        Assert.Equal(MessagesPath, request.RequestMessage.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}")), Header(request, "Authorization"));
        Assert.StartsWith("application/x-www-form-urlencoded", Header(request, "Content-Type"), StringComparison.Ordinal);
        var form = Form(request.RequestMessage.Body!);
        Assert.Equal(new Dictionary<string, string>
        {
            ["To"] = "+15558675310",
            ["From"] = From,
            ["Body"] = "Your code is 123456. Reply STOP to unsubscribe, HELP for help.",
            ["StatusCallback"] = "https://api.comms.test/webhooks/twilio/status",
        }, form);
    }

    [Fact]
    public async Task A_messaging_service_is_sent_instead_of_a_number_and_no_status_callback_without_a_public_api_url()
    {
        using var twilio = SmsWorld.StartTwilio();
        var tenant = await TestTenant.CreateAsync(fixture, "bob");
        var settings = Settings(twilio);
        settings["Comms:Providers:Twilio:From"] = null;
        settings["Comms:Providers:Twilio:MessagingServiceSid"] = "MG9752274e9e519418a7406176694466fa";
        settings["Comms:Links:PublicApiUrl"] = null;
        await using var dispatcher = fixture.StartDispatcher(settings);

        var id = (await QueueAsync(fixture, tenant, ("bob", "+15558675311", "Hi")))[0];
        await Isolation.DirectQueue.WakeAsync(fixture, Channel.Sms);

        Assert.Equal(MessageStatus.Sent, (await WaitForFinalAsync(fixture, id)).Status);
        var form = Form(Assert.Single(Requests(twilio, MessagesPath)).RequestMessage.Body!);
        Assert.Equal(["Body", "MessagingServiceSid", "To"], form.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("MG9752274e9e519418a7406176694466fa", form["MessagingServiceSid"]);
    }

    [Fact]
    public async Task A_429_is_retried_no_earlier_than_its_Retry_After_and_a_500_is_retried_too()
    {
        using var twilio = StartTwilio(
            (429, Error(20429, "Too Many Requests", 429), [("Retry-After", "1")]),
            (500, Error(20500, "An internal server error has occurred", 500), []));
        var tenant = await TestTenant.CreateAsync(fixture, "cal");
        await using var dispatcher = fixture.StartDispatcher(Settings(twilio));

        var id = (await QueueAsync(fixture, tenant, ("cal", "+15558675312", "Retry me")))[0];
        await Isolation.DirectQueue.WakeAsync(fixture, Channel.Sms);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.True(message.Status == MessageStatus.Sent, $"{message.Status}: {message.LastError}");
        Assert.Equal(3, message.Attempts);
        var requests = Requests(twilio, MessagesPath).OrderBy(r => r.RequestMessage.DateTime).ToList();
        Assert.Equal([429, 500, 201], requests.Select(r => Convert.ToInt32(r.ResponseMessage.StatusCode, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(requests[1].RequestMessage.DateTime - requests[0].RequestMessage.DateTime >= TimeSpan.FromSeconds(0.95),
            $"retried after {(requests[1].RequestMessage.DateTime - requests[0].RequestMessage.DateTime).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_provider_that_does_not_answer_in_time_is_a_transient_failure()
    {
        using var twilio = WireMockServer.Start();
        twilio.Given(Request.Create().WithPath(MessagesPath).UsingPost()).RespondWith(Response.Create().WithDelay(TimeSpan.FromSeconds(3)).WithStatusCode(201));
        var tenant = await TestTenant.CreateAsync(fixture, "dan");
        var settings = Settings(twilio);
        settings["Comms:Providers:Twilio:Timeout"] = "00:00:01";
        settings["Comms:Dispatcher:MaxAttempts"] = "1";
        await using var dispatcher = fixture.StartDispatcher(settings);

        var id = (await QueueAsync(fixture, tenant, ("dan", "+15558675313", "Slow")))[0];
        await Isolation.DirectQueue.WakeAsync(fixture, Channel.Sms);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.StartsWith("Gave up after 1 attempts: Twilio did not answer", message.LastError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(21211, "The 'To' number +15558675314 is not a valid phone number.", "error 21211: the 'To' number is not a valid phone number")]
    [InlineData(21614, "'To' number is not a valid mobile number", "error 21614: the 'To' number is not a mobile number")]
    public async Task A_400_with_a_twilio_error_code_fails_at_once_with_a_typed_reason_that_does_not_quote_the_number(int code, string twilioMessage, string meaning)
    {
        using var twilio = StartTwilio((400, Error(code, twilioMessage), []));
        var tenant = await TestTenant.CreateAsync(fixture, "eve");
        await using var dispatcher = fixture.StartDispatcher(Settings(twilio));

        var id = (await QueueAsync(fixture, tenant, ("eve", "+15558675314", "Hello")))[0];
        await Isolation.DirectQueue.WakeAsync(fixture, Channel.Sms);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.Equal(1, message.Attempts);
        Assert.Equal($"COMMS_PROVIDER_REJECTED: Twilio answered 400, {meaning}.", message.LastError);
        Assert.DoesNotContain("+1555", message.LastError, StringComparison.Ordinal);
        Assert.Single(Requests(twilio, MessagesPath));
    }

    [Fact]
    public async Task Error_21610_fails_the_message_and_withdraws_the_phones_sms_consent_in_the_tenant()
    {
        using var twilio = StartTwilio((400, Error(21610, "Attempt to send to unsubscribed recipient"), []));
        var tenant = await TestTenant.CreateAsync(fixture, "fay");
        await using var dispatcher = fixture.StartDispatcher(Settings(twilio));

        var id = (await QueueAsync(fixture, tenant, ("fay", "+15558675315", "Hello")))[0];
        await Isolation.DirectQueue.WakeAsync(fixture, Channel.Sms);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.StartsWith("COMMS_PROVIDER_REJECTED: Twilio answered 400, error 21610: the recipient replied STOP", message.LastError, StringComparison.Ordinal);

        await using var db = fixture.CreateDbContext();
        var suppression = await db.Suppressions.SingleAsync(s => s.TenantId == tenant.Id && s.Channel == Channel.Sms);
        Assert.Equal((Suppression.Hash("+15558675315"), "twilio_21610"), (suppression.AddressHash, suppression.Reason));
        var smsPreferences = await db.Preferences.Where(p => p.TenantId == tenant.Id && p.Channel == Channel.Sms).ToListAsync();
        Assert.Equal(Categories.BuiltIn.Keys.Order(StringComparer.Ordinal), smsPreferences.Select(p => p.Category).Order(StringComparer.Ordinal));
        Assert.All(smsPreferences, p => Assert.False(p.Enabled));
    }

    [Fact]
    public async Task Refused_credentials_are_a_configuration_error_and_the_auth_token_appears_in_no_error_and_no_log()
    {
        using var twilio = StartTwilio((401, Error(20003, "Authenticate", 401), []));
        var tenant = await TestTenant.CreateAsync(fixture, "gus");
        var logs = new CapturingLoggerProvider();
        var settings = Settings(twilio);
        settings["Logging:LogLevel:Default"] = "Trace";
        await using var dispatcher = fixture.StartDispatcher(settings, services: s => s.AddSingleton<ILoggerProvider>(logs));

        var id = (await QueueAsync(fixture, tenant, ("gus", "+15558675316", "Hello")))[0];
        await Isolation.DirectQueue.WakeAsync(fixture, Channel.Sms);

        var message = await WaitForFinalAsync(fixture, id);
        Assert.Equal(MessageStatus.Failed, message.Status);
        Assert.StartsWith("COMMS_PROVIDER_CONFIG: Twilio refused the account's credentials (401, error 20003", message.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthToken, message.LastError, StringComparison.Ordinal);
        Assert.NotEmpty(logs.Lines);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(AuthToken, StringComparison.Ordinal) || l.Contains(basic, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("+15558675316", StringComparison.Ordinal));
    }
}
