using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Sms;

/// <summary>The SMS channel exists exactly when a Twilio account is configured, and a broken one stops the start naming the setting.</summary>
[Collection(CommsCollection.Name)]
public sealed class SmsConfigurationTests(CommsFixture fixture)
{
    [Fact]
    public async Task Routing_plans_sms_only_on_a_dispatcher_with_a_twilio_account()
    {
        Assert.False(fixture.Dispatcher.Services.GetRequiredService<ChannelProviders>().Has(Channel.Sms));

        await using var twilio = fixture.StartDispatcher(new Dictionary<string, string?>
        {
            ["Comms:Providers:Twilio:AccountSid"] = SmsWorld.AccountSid,
            ["Comms:Providers:Twilio:From"] = SmsWorld.From,
            ["Comms:Providers:Twilio:BaseUrl"] = "http://127.0.0.1:9",
        });
        Assert.True(twilio.Services.GetRequiredService<ChannelProviders>().Has(Channel.Sms));
    }

    [Theory]
    [InlineData("AC0123", SmsWorld.From, "Comms:Providers:Twilio:AccountSid must be 'AC' followed by 32 hex digits")]
    [InlineData(SmsWorld.AccountSid, null, "Comms:Providers:Twilio:From (an E.164 number or alphanumeric sender id) or Comms:Providers:Twilio:MessagingServiceSid is required")]
    [InlineData(SmsWorld.AccountSid, "not a number!", "Comms:Providers:Twilio:From must be an E.164 number")]
    public async Task A_broken_twilio_configuration_stops_the_dispatcher_naming_the_setting_without_echoing_the_token(string accountSid, string? from, string expected)
    {
        var error = await Record.ExceptionAsync(async () =>
        {
            await using var bad = fixture.StartDispatcher(new Dictionary<string, string?>
            {
                ["Comms:Providers:Twilio:AccountSid"] = accountSid,
                ["Comms:Providers:Twilio:From"] = from,
            });
        });

        Assert.NotNull(error);
        var all = string.Join("\n", Flatten(error));
        Assert.Contains(expected, all, StringComparison.Ordinal);
        Assert.DoesNotContain(CommsFixture.TwilioAuthToken, all, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Flatten(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error.Message;
            if (error is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
