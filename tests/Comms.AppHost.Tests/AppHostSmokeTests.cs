using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Comms.AppHost.Tests;

/// <summary>
/// The app host as users run it: every resource comes up healthy (the migrator finished), the README's
/// "Try it" works through it — the demo event reaches MailDev and alice's inbox — and a stop ends it.
/// </summary>
public sealed class AppHostSmokeTests(AppHostFixture fixture) : IClassFixture<AppHostFixture>
{
    [Fact]
    public async Task Every_resource_is_healthy_and_the_demo_event_reaches_the_mail_catcher_and_the_inbox()
    {
        using var deadline = new CancellationTokenSource(AppHostFixture.StartDeadline);
        var app = fixture.App;
        await app.ResourceNotifications.WaitForResourceAsync("migrator", KnownResourceStates.Finished, deadline.Token);
        foreach (var resource in new[] { "postgres", "commsdb", "redis", "mail", "api", "dispatcher", "web" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, deadline.Token);
        }

        Assert.True(app.ResourceNotifications.TryGetCurrentState("migrator", out var migrator));
        Assert.Equal(0, migrator.Snapshot.ExitCode);

        // Two dispatcher replicas run by default, both healthy.
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var dispatcher = model.Resources.OfType<ProjectResource>().Single(r => r.Name == "dispatcher");
        Assert.Equal(2, dispatcher.GetReplicaCount());

        using var api = app.CreateHttpClient("api");
        var name = "Alice " + Guid.NewGuid().ToString("N")[..8];
        using var post = new HttpRequestMessage(HttpMethod.Post, "/v1/events")
        {
            Content = JsonContent.Create(new
            {
                name = "demo.welcome", recipients = new[] { "alice" }, causeRef = "smoke:" + Guid.NewGuid(), category = "account",
                payload = new { name },
            }),
        };
        post.Headers.Authorization = new("Bearer", "demo-api-key");
        var accepted = await api.SendAsync(post, deadline.Token);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        using var mail = app.CreateHttpClient("mail", "http");
        await Poll.UntilAsync(async () =>
        {
            var emails = await mail.GetFromJsonAsync<JsonElement>("/api/email", deadline.Token);
            return emails.EnumerateArray().Any(e => e.GetProperty("subject").GetString() == $"Welcome to Comms, {name}!");
        }, "the demo email in MailDev", deadline.Token);

        await Poll.UntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/me/notifications");
            request.Headers.Authorization = new("Bearer", DemoUserToken.For("alice"));
            var page = await (await api.SendAsync(request, deadline.Token)).Content.ReadFromJsonAsync<JsonElement>(deadline.Token);
            return page.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("title").GetString() == $"Welcome, {name}!");
        }, "the demo notification in alice's inbox", deadline.Token);
    }
}
