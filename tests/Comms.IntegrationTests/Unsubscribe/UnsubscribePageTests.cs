using System.Net;
using Comms.Core.Unsubscribe;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Comms.IntegrationTests.Unsubscribe.UnsubscribeSetup;

namespace Comms.IntegrationTests.Unsubscribe;

/// <summary>The page an unsubscribe link opens: confirm, all non-critical email, undo — and links that do not work.</summary>
[Collection(CommsCollection.Name)]
public sealed class UnsubscribePageTests(CommsFixture fixture)
{
    [Fact]
    public async Task Opening_the_link_changes_nothing_then_confirm_unsubscribes_and_undo_resubscribes()
    {
        var tenant = await TenantAsync(fixture, "eve");
        var link = LinkOf((await SendAsync(fixture, tenant, "eve", "Offers")).Header("list-unsubscribe")!);
        using var page = new UnsubscribePage(link);

        await page.OpenAsync();
        await page.OpenAsync(); // link scanners and prefetchers open links: a GET never unsubscribes

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("Unsubscribe from Promotions emails?", page.Title);
        Assert.Contains("Test " + tenant.Id, page.Html, StringComparison.Ordinal);
        Assert.True(EmailOn(await MatrixAsync(tenant, "eve"), "promotions"));

        await page.PressAsync("Unsubscribe from Promotions emails");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("You are unsubscribed from Promotions emails", page.Title);
        Assert.False(EmailOn(await MatrixAsync(tenant, "eve"), "promotions"));

        await page.PressAsync("Undo: subscribe again");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("You are subscribed again: Promotions.", page.Html, StringComparison.Ordinal);
        Assert.True(EmailOn(await MatrixAsync(tenant, "eve"), "promotions"));
    }

    [Fact]
    public async Task All_non_critical_email_turns_off_every_category_but_the_critical_ones_and_undo_restores_exactly_what_was_on()
    {
        var tenant = await TenantAsync(fixture, "fay");
        await SetEmailAsync(tenant, "fay", "reviews", false); // already off: the undo must leave it off
        var before = await EmailCategoriesAsync(tenant, "fay");
        Assert.Equal("security,legal,booking,messages,promotions,finance,account", before);
        var link = LinkOf((await SendAsync(fixture, tenant, "fay", "News")).Header("list-unsubscribe")!);
        using var page = await new UnsubscribePage(link).OpenAsync();

        await page.PressAsync("Unsubscribe from all non-critical email");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.StartsWith("You will get no more non-critical email from", page.Title, StringComparison.Ordinal);
        Assert.Equal("security,legal", await EmailCategoriesAsync(tenant, "fay"));
        Assert.False(page.HasButton("Unsubscribe from all non-critical email"));

        await page.PressAsync("Undo: subscribe again");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(before, await EmailCategoriesAsync(tenant, "fay"));
    }

    [Fact]
    public async Task The_pages_buttons_need_the_antiforgery_token()
    {
        var tenant = await TenantAsync(fixture, "gus");
        var link = LinkOf((await SendAsync(fixture, tenant, "gus", "Promo")).Header("list-unsubscribe")!);
        using var page = await new UnsubscribePage(link).OpenAsync();

        await page.PressAsync("Unsubscribe from all non-critical email", withAntiforgery: false);

        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.Equal("This form has expired.", page.Title);
        Assert.Equal("security,legal,booking,messages,reviews,promotions,finance,account", await EmailCategoriesAsync(tenant, "gus"));
    }

    [Fact]
    public async Task Forged_altered_truncated_and_expired_links_get_a_clear_4xx_page_and_change_nothing()
    {
        var tenant = await TenantAsync(fixture, "hal");
        var link = LinkOf((await SendAsync(fixture, tenant, "hal", "Promo")).Header("list-unsubscribe")!);
        var prefix = link[..(link.LastIndexOf('/') + 1)];
        var token = link[prefix.Length..];
        var claims = fixture.Web.Services.GetRequiredService<UnsubscribeService>().Check(token).Claims!;
        var key = fixture.Web.Services.GetRequiredService<IOptions<UnsubscribeOptions>>().Value.Key;
        var otherKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var altered = token[..10] + (token[10] == 'A' ? 'B' : 'A') + token[11..];
        var otherUser = UnsubscribeToken.Create(claims with { Category = "account" }, otherKey); // the right shape, signed by someone else
        var expired = UnsubscribeToken.Create(claims with { ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) }, key);
        var before = await EmailCategoriesAsync(tenant, "hal");

        (string Token, HttpStatusCode Status, string Title)[] cases =
        [
            (otherUser, HttpStatusCode.NotFound, "This unsubscribe link is not valid."),
            (altered, HttpStatusCode.NotFound, "This unsubscribe link is not valid."),
            (token[..^4], HttpStatusCode.BadRequest, "This unsubscribe link is incomplete."), // cut off by a mail program
            (token[..^1], HttpStatusCode.BadRequest, "This unsubscribe link is incomplete."),
            (token[..20], HttpStatusCode.BadRequest, "This unsubscribe link is incomplete."),
            (token + "AAAA", HttpStatusCode.BadRequest, "This unsubscribe link is incomplete."),
            ("not a token!", HttpStatusCode.BadRequest, "This unsubscribe link is incomplete."),
            (new string('A', 600), HttpStatusCode.BadRequest, "This unsubscribe link is incomplete."),
            (expired, HttpStatusCode.Gone, "This unsubscribe link has expired."),
        ];
        foreach (var (bad, status, title) in cases)
        {
            var url = prefix + Uri.EscapeDataString(bad);
            using var page = await new UnsubscribePage(url).OpenAsync();
            Assert.True((status, title) == (page.Status, page.Title), $"{bad}: {page.Status} {page.Title}");
            Assert.Contains("Nothing was changed.", page.Html, StringComparison.Ordinal);
            Assert.False(page.HasButton("Unsubscribe"), bad);

            var posted = await OneClickAsync(url);
            Assert.Equal(status, posted.StatusCode);
            Assert.Contains(WebUtility.HtmlEncode(title), await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(before, await EmailCategoriesAsync(tenant, "hal"));
        Assert.Equal(HttpStatusCode.OK, (await OneClickAsync(link)).StatusCode); // the real one still works
        Assert.False(EmailOn(await MatrixAsync(tenant, "hal"), "promotions"));
    }

    [Fact]
    public async Task A_link_of_a_recipient_that_was_deleted_is_404()
    {
        var tenant = await TenantAsync(fixture, "ida");
        var link = LinkOf((await SendAsync(fixture, tenant, "ida", "Promo")).Header("list-unsubscribe")!);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.ApiClient().DeleteAsync("/v1/recipients/ida")).StatusCode);

        using var page = await new UnsubscribePage(link).OpenAsync();
        var posted = await OneClickAsync(link);

        Assert.Equal((HttpStatusCode.NotFound, "There is nothing to unsubscribe from here any more."), (page.Status, page.Title));
        Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);
    }
}
