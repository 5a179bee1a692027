using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Push;

/// <summary>The push channel exists exactly when a push provider is configured, and a bad FCM key stops the start.</summary>
[Collection(CommsCollection.Name)]
public sealed class PushConfigurationTests(CommsFixture fixture)
{
    [Fact]
    public async Task Routing_plans_push_only_on_a_dispatcher_with_a_push_provider()
    {
        Assert.False(fixture.Dispatcher.Services.GetRequiredService<ChannelProviders>().Has(Channel.Push));

        await using var expo = fixture.StartDispatcher(new Dictionary<string, string?>
        {
            ["Comms:Providers:Expo:Enabled"] = "true",
            ["Comms:Providers:Expo:BaseUrl"] = "http://127.0.0.1:9",
        });
        Assert.True(expo.Services.GetRequiredService<ChannelProviders>().Has(Channel.Push));
    }

    [Fact]
    public async Task A_service_account_that_is_not_one_stops_the_dispatcher_without_echoing_the_secret()
    {
        const string Secret = "not-a-key-but-secret-material";
        var error = await Record.ExceptionAsync(async () =>
        {
            await using var bad = fixture.StartDispatcher(new Dictionary<string, string?>
            {
                ["Comms:Providers:Fcm:ServiceAccountJson"] = $$"""{"type":"authorized_user","client_secret":"{{Secret}}"}""",
            });
        });

        Assert.NotNull(error);
        var all = string.Join("\n", Flatten(error));
        Assert.Contains("Comms:Providers:Fcm:ServiceAccountJson is not a service-account key", all, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, all, StringComparison.Ordinal);
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
