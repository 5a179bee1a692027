using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Inbox;
using Comms.IntegrationTests.Infrastructure;
using static Comms.IntegrationTests.Inbox.InboxRows;

namespace Comms.IntegrationTests.Inbox;

/// <summary>
/// <c>/me/notifications</c> as a user sees it: pages both ways from any cursor, filters, threads, counts, and changes
/// that can be made twice with the same result.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class InboxApiTests(CommsFixture fixture)
{
    private static async Task<InboxPage> PageAsync(HttpClient user, string query)
    {
        var response = await user.GetAsync("/me/notifications" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<InboxPage>())!;
    }

    private static List<string> Titles(InboxPage page) => page.Items.Select(i => i.Title).ToList();

    [Fact]
    public async Task Pages_walk_back_with_before_and_forward_with_after_visiting_every_item_once_in_order()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await AddAsync(fixture, tenant, "alice", InboxRows.Titles(7));
        var user = tenant.UserClient("alice");

        // Back from the top: newest first, three at a time, until nextCursor is null.
        var first = await PageAsync(user, "?limit=3");
        Assert.Equal(["n7", "n6", "n5"], Titles(first));
        Assert.False(first.HasNewer);
        Assert.Equal(first.Items[0].Cursor, first.NewerCursor);
        var second = await PageAsync(user, $"?limit=3&before={first.NextCursor}");
        Assert.Equal(["n4", "n3", "n2"], Titles(second));
        Assert.True(second.HasNewer);
        var last = await PageAsync(user, $"?limit=3&before={second.NextCursor}");
        Assert.Equal(["n1"], Titles(last));
        Assert.Null(last.NextCursor);

        // Forward from the oldest: the items right after the cursor (not the newest three), until hasNewer is false.
        var forward = await PageAsync(user, $"?limit=3&after={last.Items[0].Cursor}");
        Assert.Equal(["n4", "n3", "n2"], Titles(forward));
        Assert.True(forward.HasNewer);
        Assert.Equal(forward.Items[0].Cursor, forward.NewerCursor);
        Assert.NotNull(forward.NextCursor);
        var end = await PageAsync(user, $"?limit=3&after={forward.NewerCursor}");
        Assert.Equal(["n7", "n6", "n5"], Titles(end));
        Assert.False(end.HasNewer);
        var nothing = await PageAsync(user, $"?limit=3&after={end.NewerCursor}");
        Assert.Empty(nothing.Items);
        Assert.False(nothing.HasNewer);
        Assert.Equal(end.NewerCursor, nothing.NewerCursor);

        // From the start cursor a new client gets everything, oldest first.
        var all = await PageAsync(user, $"?limit=100&after={InboxCursor.Start}");
        Assert.Equal(["n7", "n6", "n5", "n4", "n3", "n2", "n1"], Titles(all));
        Assert.Null(all.NextCursor);
    }

    [Fact]
    public async Task Status_and_category_filter_the_list_and_counts_are_the_badge()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await AddAsync(fixture, tenant, "alice",
            new Row("unread-seen", Seen: true), new Row("read", Read: true), new Row("archived", Archived: true),
            new Row("booking-unread", Category: "booking"), new Row("unread"));
        var user = tenant.UserClient("alice");

        Assert.Equal(["unread", "booking-unread", "read", "unread-seen"], Titles(await PageAsync(user, "")));
        Assert.Equal(["unread", "booking-unread", "read", "unread-seen"], Titles(await PageAsync(user, "?status=all")));
        Assert.Equal(["unread", "booking-unread", "unread-seen"], Titles(await PageAsync(user, "?status=unread")));
        Assert.Equal(["read"], Titles(await PageAsync(user, "?status=read")));
        Assert.Equal(["archived"], Titles(await PageAsync(user, "?status=archived")));
        Assert.Equal(["booking-unread"], Titles(await PageAsync(user, "?category=booking")));
        Assert.Empty((await PageAsync(user, "?category=booking&status=read")).Items);

        var counts = (await user.GetFromJsonAsync<UnreadCounts>("/me/notifications/count"))!;
        Assert.Equal((3, 2), (counts.Unread, counts.Unseen));
        Assert.True(counts.AsOf > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task Read_unread_archive_and_unarchive_are_idempotent_and_answer_the_new_state_with_the_counts()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice", "bob");
        var ids = await AddAsync(fixture, tenant, "alice", new Row("one"), new Row("two"));
        var bobs = await AddAsync(fixture, tenant, "bob", new Row("bob's"));
        var user = tenant.UserClient("alice");

        var read = await ChangeAsync(user, ids[0], "read");
        Assert.NotNull(read.Notification.ReadAt);
        Assert.NotNull(read.Notification.SeenAt);
        Assert.Equal((1, 1), (read.Unread, read.Unseen));
        var again = await ChangeAsync(user, ids[0], "read");
        Assert.Equal(read.Notification.ReadAt, again.Notification.ReadAt);
        Assert.Equal((1, 1), (again.Unread, again.Unseen));
        Assert.True(again.ChangedAt >= read.ChangedAt);

        var unread = await ChangeAsync(user, ids[0], "unread");
        Assert.Null(unread.Notification.ReadAt);
        Assert.Equal((2, 1), (unread.Unread, unread.Unseen));
        var unreadAgain = await ChangeAsync(user, ids[0], "unread");
        Assert.Equal((2, 1), (unreadAgain.Unread, unreadAgain.Unseen));

        var archived = await ChangeAsync(user, ids[1], "archive");
        Assert.NotNull(archived.Notification.ArchivedAt);
        Assert.Equal((1, 0), (archived.Unread, archived.Unseen));
        Assert.Equal(archived.Notification.ArchivedAt, (await ChangeAsync(user, ids[1], "archive")).Notification.ArchivedAt);
        Assert.Equal(["one"], Titles(await PageAsync(user, "")));
        Assert.Equal(["two"], Titles(await PageAsync(user, "?status=archived")));

        var back = await ChangeAsync(user, ids[1], "unarchive");
        Assert.Null(back.Notification.ArchivedAt);
        Assert.Equal((2, 0), (back.Unread, back.Unseen)); // archiving saw it
        Assert.Null((await ChangeAsync(user, ids[1], "unarchive")).Notification.ArchivedAt);
        Assert.Equal(["two", "one"], Titles(await PageAsync(user, "")));

        // Another user's item, or none: 404, and bob's item is untouched.
        foreach (var action in new[] { "read", "unread", "archive", "unarchive" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await user.PostAsync($"/me/notifications/{bobs[0]}/{action}", null)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await user.PostAsync($"/me/notifications/{Guid.NewGuid()}/{action}", null)).StatusCode);
        }

        var bob = await PageAsync(tenant.UserClient("bob"), "");
        Assert.Null(bob.Items.Single().ReadAt);
    }

    private static async Task<InboxItemChanged> ChangeAsync(HttpClient user, Guid id, string action)
    {
        var response = await user.PostAsync($"/me/notifications/{id}/{action}", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<InboxItemChanged>())!;
    }

    [Fact]
    public async Task Read_all_marks_every_unread_item_or_those_of_a_category_and_seen_clears_the_unseen_count()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await AddAsync(fixture, tenant, "alice", new Row("a1"), new Row("b1", Category: "booking"), new Row("a2"), new Row("b2", Category: "booking"));
        var user = tenant.UserClient("alice");

        var seen = (await (await user.PostAsync("/me/notifications/seen", null)).Content.ReadFromJsonAsync<UnreadCounts>())!;
        Assert.Equal((4, 0), (seen.Unread, seen.Unseen));
        Assert.All((await PageAsync(user, "")).Items, i => Assert.NotNull(i.SeenAt));
        Assert.Equal(HttpStatusCode.OK, (await user.PostAsync("/me/notifications/seen", null)).StatusCode);

        var booking = (await (await user.PostAsync("/me/notifications/read-all?category=booking", null)).Content.ReadFromJsonAsync<UnreadCounts>())!;
        Assert.Equal(2, booking.Unread);
        Assert.Equal(["a2", "a1"], Titles(await PageAsync(user, "?status=unread")));

        var all = (await (await user.PostAsync("/me/notifications/read-all", null)).Content.ReadFromJsonAsync<UnreadCounts>())!;
        Assert.Equal((0, 0), (all.Unread, all.Unseen));
        Assert.Equal(0, (await (await user.PostAsync("/me/notifications/read-all", null)).Content.ReadFromJsonAsync<UnreadCounts>())!.Unread);
        Assert.Empty((await PageAsync(user, "?status=unread")).Items);
    }

    [Fact]
    public async Task Grouped_by_thread_a_row_is_the_threads_newest_item_with_its_counts_and_groups_page_by_their_newest()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        await AddAsync(fixture, tenant, "alice",
            new Row("a-old", ThreadKey: "a", Read: true), new Row("b-old", ThreadKey: "b"), new Row("alone"),
            new Row("a-mid", ThreadKey: "a"), new Row("c-only", ThreadKey: "c", Archived: true), new Row("a-new", ThreadKey: "a"),
            new Row("b-new", ThreadKey: "b"));
        var user = tenant.UserClient("alice");

        var page = await PageAsync(user, "?group=thread");
        Assert.Equal(["b-new", "a-new", "alone"], Titles(page));
        Assert.Equal([(2, 2), (3, 2), (1, 1)], page.Items.Select(i => (i.ThreadCount!.Value, i.ThreadUnread!.Value)).ToList());
        Assert.Equal("b", page.Items[0].ThreadKey);

        // The status filter applies before grouping: unread items of thread a are two.
        var unread = await PageAsync(user, "?group=thread&status=unread");
        Assert.Equal([2, 2, 1], unread.Items.Select(i => i.ThreadCount!.Value).ToList());
        Assert.Equal(["c-only"], Titles(await PageAsync(user, "?group=thread&status=archived")));

        // Groups page both ways by their newest item.
        var first = await PageAsync(user, "?group=thread&limit=2");
        Assert.Equal(["b-new", "a-new"], Titles(first));
        var next = await PageAsync(user, $"?group=thread&limit=2&before={first.NextCursor}");
        Assert.Equal(["alone"], Titles(next));
        Assert.Null(next.NextCursor);
        Assert.True(next.HasNewer);
        var back = await PageAsync(user, $"?group=thread&limit=2&after={next.Items[0].Cursor}");
        Assert.Equal(["b-new", "a-new"], Titles(back));

        // Ungrouped lists carry no thread counts.
        var flat = await user.GetStringAsync("/me/notifications");
        Assert.DoesNotContain("threadCount", flat, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?status=unseen", "status")]
    [InlineData("?group=category", "group")]
    [InlineData("?before=not-a-cursor", "before")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    public async Task A_bad_query_is_400_naming_the_parameter(string query, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var response = await tenant.UserClient("alice").GetAsync("/me/notifications" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("COMMS_VALIDATION", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Before_and_after_together_are_refused()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var cursor = InboxCursor.Start;
        var response = await tenant.UserClient("alice").GetAsync($"/me/notifications?before={cursor}&after={cursor}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not both", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
