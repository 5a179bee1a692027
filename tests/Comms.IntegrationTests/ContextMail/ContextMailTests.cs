using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;

namespace Comms.IntegrationTests.ContextMail;

/// <summary>In-context mail (SPEC S8) through the API: kinds, who may send and read what, read and delete, limits.</summary>
[Collection(CommsCollection.Name)]
public sealed class ContextMailTests(CommsFixture fixture)
{
    [Fact]
    public async Task The_owner_broadcasts_a_kicked_member_keeps_the_explanation_but_not_personal_mail_and_deletes_only_read_mail()
    {
        var tenant = await TestTenant.CreateAsync(fixture, GameContext.Owner, "alice", "bob", "carl");
        var game = await GameContext.CreateAsync(tenant, "game-1", "alice", "bob", "carl");

        var personal = await game.SentAsync("alice", new { to = "bob", subject = "Alliance?", body = "Shall we team up against carl?" });
        var broadcast = await GameContext.Ok(game.SendAsync(GameContext.Owner, new { scope = "active", subject = "Turn 2", body = "Orders are due tonight." }));
        Assert.Equal(("admin", 3), (broadcast.GetProperty("kind").GetString(), broadcast.GetProperty("recipientCount").GetInt32()));

        var bobs = await game.ListAsync("bob");
        Assert.Equal(["admin", "personal"], bobs.Select(m => m.GetProperty("kind").GetString()));
        Assert.Equal(("owner", "olga"), (bobs[0].GetProperty("from").GetProperty("kind").GetString(), bobs[0].GetProperty("from").GetProperty("name").GetString()));
        Assert.Empty(await game.ListAsync(GameContext.Owner)); // the sender is not among a broadcast's recipients

        // A member sends no admin mail; personal mail goes to active members only.
        await AssertProblemAsync(game.SendAsync("alice", new { scope = "active", subject = "Hi", body = "All of you" }), 403, "COMMS_MAIL_NOT_ALLOWED");

        await game.RemoveAsync("bob");
        var afterKick = await game.ListAsync("bob");
        Assert.Equal(["system", "admin"], afterKick.Select(m => m.GetProperty("kind").GetString()));
        var explanation = afterKick[0];
        Assert.Equal("member.removed", explanation.GetProperty("systemEvent").GetString());
        Assert.Contains("removed you", explanation.GetProperty("body").GetString());
        await AssertProblemAsync(game.Tenant.UserClient("bob").GetAsync($"{game.MailPath}/{personal}"), 403, "COMMS_MAIL_NOT_ALLOWED");
        await AssertProblemAsync(game.SendAsync("alice", new { to = "bob", subject = "Still there?", body = "Hello?" }), 403, "COMMS_MAIL_NOT_ALLOWED");
        await AssertProblemAsync(game.SendAsync("bob", new { to = "alice", subject = "Let me back", body = "Please" }), 403, "COMMS_MAIL_NOT_ALLOWED");

        // The owner's admin mail still reaches him; the badge counts what he may read (not the personal mail).
        await game.SentAsync(GameContext.Owner, new { to = "bob", kind = "admin", subject = "Why", body = "You missed three turns." });
        var unread = await GameContext.Ok(tenant.UserClient("bob").GetAsync("/me/contexts/unread"));
        Assert.Equal(3, unread.GetProperty("total").GetInt32());
        Assert.Equal("game-1", unread.GetProperty("contexts")[0].GetProperty("contextKey").GetString());

        // Delete only after read; read is idempotent.
        var bob = tenant.UserClient("bob");
        var systemMail = explanation.GetProperty("id").GetGuid();
        await AssertProblemAsync(bob.DeleteAsync($"{game.MailPath}/{systemMail}"), 409, "COMMS_MAIL_NOT_READ");
        var firstRead = await GameContext.Ok(bob.PostAsync($"{game.MailPath}/{systemMail}/read", null));
        var secondRead = await GameContext.Ok(bob.PostAsync($"{game.MailPath}/{systemMail}/read", null));
        Assert.Equal(firstRead.GetProperty("readAt").GetDateTimeOffset(), secondRead.GetProperty("readAt").GetDateTimeOffset());
        Assert.Equal(2, secondRead.GetProperty("unread").GetInt32());
        var deleted = await GameContext.Ok(bob.DeleteAsync($"{game.MailPath}/{systemMail}"));
        Assert.Equal(2, deleted.GetProperty("unread").GetInt32());
        Assert.DoesNotContain(await game.ListAsync("bob"), m => m.GetProperty("id").GetGuid() == systemMail);
        await AssertProblemAsync(bob.GetAsync($"{game.MailPath}/{systemMail}"), 404, "COMMS_NOT_FOUND");

        // Pausing the game tells every active member (alice and carl), not the removed one.
        await game.SetStatusAsync("paused");
        Assert.Equal("context.paused", (await game.ListAsync("carl"))[0].GetProperty("systemEvent").GetString());
        Assert.Equal("context.paused", (await game.ListAsync("alice"))[0].GetProperty("systemEvent").GetString());
        Assert.DoesNotContain(await game.ListAsync("bob"), m => m.GetProperty("systemEvent").GetString() == "context.paused");
    }

    [Fact]
    public async Task Broadcast_scopes_reach_active_removed_or_all_members_and_an_operator_sends_admin_mail()
    {
        var tenant = await TestTenant.CreateAsync(fixture, GameContext.Owner, "alice", "bob", "carl", "dora");
        var game = await GameContext.CreateAsync(tenant, "game-scopes", "alice", "bob", "carl", "dora");
        await game.SetMemberAsync("bob", "removed");
        await game.SetMemberAsync("carl", "blocked");
        await game.SetMemberAsync("dora", "pending");

        async Task<int> ScopeAsync(string scope) =>
            (await GameContext.Ok(game.SendAsync(GameContext.Owner, new { scope, subject = scope, body = "x" }))).GetProperty("recipientCount").GetInt32();
        Assert.Equal(1, await ScopeAsync("active"));
        Assert.Equal(3, await ScopeAsync("active_and_removed"));
        Assert.Equal(4, await ScopeAsync("all_members"));

        var sent = await GameContext.Ok(tenant.ApiClient().PostAsJsonAsync($"/v1/contexts/{game.Key}/mail", new { to = "bob", subject = "From the operators", body = "Your appeal was received." }));
        Assert.Equal("admin", sent.GetProperty("kind").GetString());
        var bobs = await game.ListAsync("bob");
        Assert.Equal(("operator", "From the operators"), (bobs[0].GetProperty("from").GetProperty("kind").GetString(), bobs[0].GetProperty("subject").GetString()));

        await AssertProblemAsync(tenant.ApiClient().PostAsJsonAsync("/v1/contexts/no-such-game/mail", new { scope = "active", subject = "s", body = "b" }), 404, "COMMS_CONTEXT_NOT_FOUND");
        await AssertProblemAsync(game.SendAsync("alice", new { to = "zed", subject = "s", body = "b" }), 404, "COMMS_MEMBER_NOT_FOUND");
    }

    [Fact]
    public async Task Subject_and_body_limits_name_the_field_store_nothing_and_bodies_stay_plain_text()
    {
        var tenant = await TestTenant.CreateAsync(fixture, GameContext.Owner, "alice", "bob");
        var game = await GameContext.CreateAsync(tenant, "game-limits", "alice", "bob");

        using var tooLong = await game.SendAsync("alice", new { to = "bob", subject = new string('é', 129), body = new string('x', 4_097) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var problem = await tooLong.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("COMMS_VALIDATION", problem.GetProperty("type").GetString());
        Assert.Contains("258 bytes", problem.GetProperty("errors").GetProperty("subject")[0].GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _));
        Assert.Empty(await game.ListAsync("bob"));

        const string html = "<script>alert('x')</script><b>bold</b> & more";
        var id = await game.SentAsync("alice", new { to = "bob", subject = "<i>hi</i>", body = html });
        var mail = await GameContext.Ok(tenant.UserClient("bob").GetAsync($"{game.MailPath}/{id}"));
        Assert.Equal(html, mail.GetProperty("body").GetString());
        Assert.Equal("<i>hi</i>", mail.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task The_language_is_detected_and_recipient_names_are_snapshots()
    {
        var tenant = await TestTenant.CreateAsync(fixture, GameContext.Owner, "alice", "bob");
        var game = await GameContext.CreateAsync(tenant, "game-lang", "alice");
        await game.SetMemberAsync("bob", "active", "Bob the Builder");

        var german = await game.SentAsync("alice", new { to = "bob", subject = "Bündnis", body = "Wollen wir uns gegen die anderen verbünden? Ich greife morgen im Norden an." });
        await game.SetMemberAsync("bob", "active", "Robert");
        var shortOne = await game.SentAsync("alice", new { to = "bob", subject = "ok", body = "ok" });

        var bob = tenant.UserClient("bob");
        var first = await GameContext.Ok(bob.GetAsync($"{game.MailPath}/{german}"));
        Assert.Equal(("de", "Bob the Builder"), (first.GetProperty("language").GetString(), first.GetProperty("recipientName").GetString()));
        var second = await GameContext.Ok(bob.GetAsync($"{game.MailPath}/{shortOne}"));
        Assert.Equal(("und", "Robert"), (second.GetProperty("language").GetString(), second.GetProperty("recipientName").GetString()));

        // Without a translation provider the original is the answer, and it says so.
        var asked = await GameContext.Ok(bob.GetAsync($"{game.MailPath}/{german}?lang=en"));
        Assert.Equal("not_configured", asked.GetProperty("translation").GetProperty("status").GetString());
        Assert.Equal("Bündnis", asked.GetProperty("subject").GetString());
        await AssertProblemAsync(bob.GetAsync($"{game.MailPath}/{german}?lang=not a tag"), 400, "COMMS_VALIDATION");
    }

    [Fact]
    public async Task A_tenants_own_rule_for_new_mail_replaces_the_default_route()
    {
        var tenant = await TestTenant.CreateAsync(fixture, GameContext.Owner, "alice", "bob");
        await tenant.AddTemplateAsync("context-mail", Comms.Core.Messages.Channel.InApp,
            new Comms.Core.Templates.TemplateContent { Title = "{{ context_name }}", Body = "{{ unread_count }} unread in {{ context_key }}" });
        await tenant.SetRuleAsync("context.mail.received", new { templateName = "context-mail", category = "account", channels = new[] { "in_app" } });
        var game = await GameContext.CreateAsync(tenant, "game-push", "alice", "bob");

        await game.SentAsync("alice", new { to = "bob", subject = "First", body = "one" });
        await game.SentAsync("alice", new { to = "bob", subject = "Second", body = "two" });

        var bob = tenant.UserClient("bob");
        var bodies = await Poll.UntilAsync(async () =>
        {
            var page = await bob.GetFromJsonAsync<JsonElement>("/me/notifications");
            var items = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("body").GetString()!).ToList();
            return items.Count == 2 ? items : null;
        }, "bob's two mail notifications");
        // As a set: the two mails' events can be routed by the dispatcher's two routing loops at once, and an inbox lists
        // items in the order they were delivered (what its live sync's cursors rely on), not the order of their events.
        Assert.Equal(["1 unread in game-push", "2 unread in game-push"], bodies.Order(StringComparer.Ordinal));
    }

    internal static async Task AssertProblemAsync(Task<HttpResponseMessage> request, int status, string type)
    {
        using var response = await request;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {type}, got {(int)response.StatusCode} {text}");
        Assert.Equal(type, JsonDocument.Parse(text).RootElement.GetProperty("type").GetString());
    }
}
