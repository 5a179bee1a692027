using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Recipients;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>GET /v1/events/{id} pages its decisions (an audience event has millions).</summary>
[Collection(CommsCollection.Name)]
public sealed class EventDecisionPagesTests(CommsFixture fixture)
{
    [Fact]
    public async Task Decisions_come_a_page_at_a_time_with_a_cursor_until_there_are_no_more()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann", "bob", "cat");
        var api = tenant.ApiClient();
        var id = await tenant.PostEventAsync(new
        {
            name = TestTenant.WelcomeEvent, recipients = new[] { "ann", "bob", "cat" }, causeRef = "pages:1", payload = new { name = "A" },
        });
        var all = await tenant.DecisionsAsync(id);

        var first = await api.GetFromJsonAsync<JsonElement>($"/v1/events/{id}?limit=4");
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await api.GetFromJsonAsync<JsonElement>($"/v1/events/{id}?limit=4&after={cursor}");
        var whole = await api.GetFromJsonAsync<JsonElement>($"/v1/events/{id}");

        Assert.Equal(6, all.Count);
        Assert.Equal(4, first.GetProperty("decisions").GetArrayLength());
        Assert.NotNull(cursor);
        Assert.Equal(2, second.GetProperty("decisions").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        Assert.Equal("routed", second.GetProperty("status").GetString());
        var paged = first.GetProperty("decisions").EnumerateArray().Concat(second.GetProperty("decisions").EnumerateArray())
            .Select(d => (d.GetProperty("recipient").GetString(), d.GetProperty("channel").GetString())).ToList();
        Assert.Equal(whole.GetProperty("decisions").EnumerateArray().Select(d => (d.GetProperty("recipient").GetString(), d.GetProperty("channel").GetString())), paged);
        Assert.Equal(6, paged.Distinct().Count());
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("nextCursor").ValueKind);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("after=abc", "after")]
    [InlineData("after=-5", "after")]
    public async Task Bad_paging_parameters_are_named(string query, string field)
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var id = await tenant.PostEventAsync(new { name = TestTenant.WelcomeEvent, recipients = new[] { "ann" }, causeRef = "pages:2", payload = new { name = "A" } });

        await (await tenant.ApiClient().GetAsync($"/v1/events/{id}?{query}")).AssertValidationAsync(field);
    }
}
