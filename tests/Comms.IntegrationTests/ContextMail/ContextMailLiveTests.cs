extern alias api;

using System.Text.Json;
using System.Threading.Channels;
using Comms.Core.ContextMail;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Comms.IntegrationTests.ContextMail;

/// <summary>Live unread badges on the Web's hub, and translations through a (fake) LibreTranslate provider.</summary>
[Collection(CommsCollection.Name)]
public sealed class ContextMailLiveTests(CommsFixture fixture)
{
    [Fact]
    public async Task A_connected_client_receives_the_contexts_unread_count_with_each_new_mail_and_after_a_read_in_another_tab()
    {
        var tenant = await TestTenant.CreateAsync(fixture, GameContext.Owner, "alice", "bob");
        var game = await GameContext.CreateAsync(tenant, "game-live", "alice", "bob");
        var badges = Channel.CreateUnbounded<ContextUnread>();
        await using var connection = new HubConnectionBuilder()
            .WithUrl($"{fixture.Web.BaseUrl}/hubs/notifications", options => options.AccessTokenProvider = () => Task.FromResult<string?>(tenant.UserToken("bob")))
            .Build();
        connection.On<ContextUnread>("contextUnreadChanged", unread => badges.Writer.TryWrite(unread));
        await connection.StartAsync();

        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        var first = await game.SentAsync("alice", new { to = "bob", subject = "One", body = "first" });
        Assert.Equal(("game-live", 1), Badge(await badges.Reader.ReadAsync(timeout.Token)));
        await game.SentAsync(GameContext.Owner, new { scope = "active", subject = "Two", body = "second" });
        Assert.Equal(("game-live", 2), Badge(await badges.Reader.ReadAsync(timeout.Token)));

        // Reading in another tab (another client) moves this tab's badge too.
        await GameContext.Ok(tenant.UserClient("bob").PostAsync($"{game.MailPath}/{first}/read", null));
        Assert.Equal(("game-live", 1), Badge(await badges.Reader.ReadAsync(timeout.Token)));
    }

    [Fact]
    public async Task A_translation_is_made_once_per_language_and_reused_for_every_recipient()
    {
        using var provider = WireMockServer.Start();
        provider.Given(Request.Create().WithPath("/translate").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"translatedText":["Alliance","Shall we ally against the others? I attack in the north tomorrow."]}"""));
        var settings = fixture.Settings.Concat(new Dictionary<string, string?>
        {
            ["Comms:Translation:Provider"] = "libretranslate",
            ["Comms:Translation:BaseUrl"] = provider.Url,
        }).ToDictionary(p => p.Key, p => p.Value);
        await using var translatingApi = new ServiceFactory<api::Program>(settings);
        var client = translatingApi.CreateClient();

        var tenant = await TestTenant.CreateAsync(fixture, GameContext.Owner, "alice", "bob", "carl");
        var game = await GameContext.CreateAsync(tenant, "game-translate", "alice", "bob", "carl");
        var id = await game.SentAsync("alice", new { to = "bob", subject = "Bündnis", body = "Wollen wir uns gegen die anderen verbünden? Ich greife morgen im Norden an." });
        var broadcast = await game.SentAsync(GameContext.Owner, new { scope = "active", subject = "Bündnis", body = "Wollen wir uns gegen die anderen verbünden? Ich greife morgen im Norden an." });

        JsonElement? last = null;
        foreach (var reader in new[] { "alice", "bob", "carl" })
        {
            last = await GameContext.Ok(game.Client(reader, translatingApi.CreateClient()).GetAsync($"{game.MailPath}/{broadcast}?lang=en"));
            var translation = last.Value.GetProperty("translation");
            Assert.Equal(("translated", "Alliance", "libretranslate"), (translation.GetProperty("status").GetString(),
                translation.GetProperty("subject").GetString(), translation.GetProperty("provider").GetString()));
            Assert.Equal("Bündnis", last.Value.GetProperty("subject").GetString()); // the original stays alongside
        }

        Assert.Single(provider.LogEntries);
        var request = JsonDocument.Parse(provider.LogEntries.Single().RequestMessage.Body!).RootElement;
        Assert.Equal(("de", "en"), (request.GetProperty("source").GetString(), request.GetProperty("target").GetString()));

        // Another mail, or the same mail in another language, is another translation; the mail's own language is no call at all.
        await GameContext.Ok(game.Client("bob", client).GetAsync($"{game.MailPath}/{id}?lang=en"));
        var german = await GameContext.Ok(game.Client("bob", translatingApi.CreateClient()).GetAsync($"{game.MailPath}/{id}?lang=de"));
        Assert.Equal("original_language", german.GetProperty("translation").GetProperty("status").GetString());
        Assert.Equal(2, provider.LogEntries.Count());
    }

    private static (string, int) Badge(ContextUnread unread) => (unread.ContextKey, unread.Unread);
}
