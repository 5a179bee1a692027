using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Comms.IntegrationTests.Recipients;

/// <summary>POST /v1/recipients/bulk: per-item outcomes, repeats, devices and preferences, limits and tenant isolation.</summary>
[Collection(CommsCollection.Name)]
public sealed class RecipientBulkApiTests(CommsFixture fixture)
{
    private const string Bulk = "/v1/recipients/bulk";

    private static Task<HttpResponseMessage> PostBulkAsync(HttpClient api, params object?[] recipients) =>
        api.PostAsJsonAsync(Bulk, new { recipients });

    private static async Task<JsonElement> OkBulkAsync(HttpClient api, params object?[] recipients) =>
        await (await PostBulkAsync(api, recipients)).JsonAsync(HttpStatusCode.OK);

    private static List<string?> Outcomes(JsonElement answer) =>
        [.. answer.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("outcome").GetString())];

    private static List<string> ErrorPaths(JsonElement answer, int index) =>
        [.. answer.GetProperty("items")[index].GetProperty("errors").EnumerateObject().Select(e => e.Name)];

    [Fact]
    public async Task Valid_items_are_stored_beside_invalid_ones_which_name_their_json_paths()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();

        var answer = await OkBulkAsync(api,
            new { externalId = "ada", name = "Ada", email = "ada@EXAMPLE.test", phone = "+44 20 7946 0000", locale = "en-gb" },
            new { externalId = "bad-mail", email = "not an address", roles = new[] { "ok", "Not A Role" } },
            null,
            new { name = "no id" },
            new { externalId = "ada", name = "Ada again" },
            new { externalId = "grace", quietHours = new { start = "25:00" }, devices = new[] { new { provider = "pager", token = "t" } } },
            new { externalId = "linus", attributes = new { plan = "pro" } });

        Assert.Equal(["created", "invalid", "invalid", "invalid", "invalid", "invalid", "created"], Outcomes(answer));
        Assert.Equal((2, 0, 0, 5), (answer.GetProperty("created").GetInt32(), answer.GetProperty("updated").GetInt32(),
            answer.GetProperty("unchanged").GetInt32(), answer.GetProperty("invalid").GetInt32()));
        Assert.Equal(["recipients[1].email", "recipients[1].roles[1]"], ErrorPaths(answer, 1).Order());
        Assert.Equal(["recipients[2]"], ErrorPaths(answer, 2));
        Assert.Equal(["recipients[3].externalId"], ErrorPaths(answer, 3));
        Assert.Contains("recipients[0]", answer.GetProperty("items")[4].GetProperty("errors").GetProperty("recipients[4].externalId")[0].GetString());
        Assert.Equal(["recipients[5].devices[0].provider", "recipients[5].quietHours.start"], ErrorPaths(answer, 5).Order());
        var first = answer.GetProperty("items")[0];
        Assert.Equal((0, "ada"), (first.GetProperty("index").GetInt32(), first.GetProperty("externalId").GetString()));
        Assert.False(first.TryGetProperty("errors", out _));

        // Normalised exactly as the single upsert does.
        var ada = await api.GetFromJsonAsync<JsonElement>("/v1/recipients/ada");
        Assert.Equal(first.GetProperty("id").GetGuid(), ada.GetProperty("id").GetGuid());
        Assert.Equal(("Ada", "ada@example.test", "+442079460000", "en-GB"), (ada.GetProperty("name").GetString(),
            ada.GetProperty("email").GetString(), ada.GetProperty("phone").GetString(), ada.GetProperty("locale").GetString()));
        Assert.Equal(("21:00", "08:00"), (ada.GetProperty("quietHours").GetProperty("start").GetString(), ada.GetProperty("quietHours").GetProperty("end").GetString()));
        await using var db = fixture.CreateDbContext();
        Assert.Equal(["ada", "linus"], await db.Recipients.Where(r => r.TenantId == tenant.Id).Select(r => r.ExternalId).OrderBy(x => x).ToListAsync());
    }

    [Fact]
    public async Task A_repeat_changes_nothing_and_a_changed_field_updates_only_its_recipient()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();
        object[] people =
        [
            new { externalId = "p1", name = "One", email = "one@example.test", roles = new[] { "member" }, attributes = new { plan = "pro", seats = 3 } },
            new { externalId = "p2", name = "Two", timeZone = "Europe/Berlin", quietHours = new { enabled = true, start = "22:00", end = "07:00", exceptions = new[] { "booking" } } },
            new { externalId = "p3", phone = "+4915112345678" },
        ];

        Assert.Equal(["created", "created", "created"], Outcomes(await OkBulkAsync(api, people)));
        await using var db = fixture.CreateDbContext();
        var before = await db.Recipients.AsNoTracking().Where(r => r.TenantId == tenant.Id).ToDictionaryAsync(r => r.ExternalId, r => r.UpdatedAt);

        var again = await OkBulkAsync(api, people);
        Assert.Equal(["unchanged", "unchanged", "unchanged"], Outcomes(again));
        Assert.Equal(3, again.GetProperty("unchanged").GetInt32());
        var after = await db.Recipients.AsNoTracking().Where(r => r.TenantId == tenant.Id).ToDictionaryAsync(r => r.ExternalId, r => r.UpdatedAt);
        Assert.Equal(before, after);

        // Fields left out keep their value, so a partial item that repeats stored values is unchanged too.
        var changed = await OkBulkAsync(api, new { externalId = "p1", name = "One" }, new { externalId = "p2", name = "Deux" }, new { externalId = "p3", phone = "" });
        Assert.Equal(["unchanged", "updated", "updated"], Outcomes(changed));
        var p2 = await api.GetFromJsonAsync<JsonElement>("/v1/recipients/p2");
        Assert.Equal(("Deux", "Europe/Berlin", "22:00"), (p2.GetProperty("name").GetString(), p2.GetProperty("timeZone").GetString(),
            p2.GetProperty("quietHours").GetProperty("start").GetString()));
        Assert.True(p2.GetProperty("updatedAt").GetDateTimeOffset() > before["p2"]);
        var p3 = await api.GetFromJsonAsync<JsonElement>("/v1/recipients/p3");
        Assert.Equal(JsonValueKind.Null, p3.GetProperty("phone").ValueKind);
        var p1 = await db.Recipients.AsNoTracking().SingleAsync(r => r.TenantId == tenant.Id && r.ExternalId == "p1");
        Assert.Equal(before["p1"], p1.UpdatedAt);
        Assert.Equal(["member"], p1.Roles);
    }

    [Fact]
    public async Task Devices_and_preferences_are_registered_and_merged_as_their_single_endpoints_do()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();
        (await api.PutAsJsonAsync("/v1/recipients/old-owner", new { name = "Old" })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync("/v1/recipients/old-owner/devices", new { provider = "fcm", token = "shared-phone" })).EnsureSuccessStatusCode();
        var item = new
        {
            externalId = "dev",
            devices = new[] { new { provider = "fcm", token = "shared-phone" }, new { provider = "webpush", token = " sub-1 " } },
            preferences = new[] { new { category = "promotions", channel = "email", enabled = true }, new { category = "booking", channel = "push", enabled = false } },
        };

        Assert.Equal(["created"], Outcomes(await OkBulkAsync(api, item)));
        var devices = await api.GetFromJsonAsync<JsonElement>("/v1/recipients/dev/devices");
        Assert.Equal(["fcm:shared-phone", "webpush:sub-1"],
            devices.EnumerateArray().Select(d => $"{d.GetProperty("provider").GetString()}:{d.GetProperty("token").GetString()}").Order());
        Assert.Equal(0, (await api.GetFromJsonAsync<JsonElement>("/v1/recipients/old-owner/devices")).GetArrayLength());
        var matrix = await api.GetFromJsonAsync<JsonElement>("/v1/recipients/dev/preferences");
        Assert.True(Cell(matrix, "promotions", "email"));
        Assert.False(Cell(matrix, "booking", "push"));
        Assert.True(Cell(matrix, "booking", "email"));

        Assert.Equal(["unchanged"], Outcomes(await OkBulkAsync(api, item)));

        // A preference change alone updates the recipient (and its updatedAt), as PUT .../preferences does; other rows keep their value.
        var stamp = (await api.GetFromJsonAsync<JsonElement>("/v1/recipients/dev")).GetProperty("updatedAt").GetDateTimeOffset();
        var flip = new { externalId = "dev", preferences = new[] { new { category = "booking", channel = "push", enabled = true } } };
        Assert.Equal(["updated"], Outcomes(await OkBulkAsync(api, flip)));
        matrix = await api.GetFromJsonAsync<JsonElement>("/v1/recipients/dev/preferences");
        Assert.True(Cell(matrix, "booking", "push"));
        Assert.True(Cell(matrix, "promotions", "email"));
        Assert.True((await api.GetFromJsonAsync<JsonElement>("/v1/recipients/dev")).GetProperty("updatedAt").GetDateTimeOffset() > stamp);

        // A device moving here updates the recipient; the devices not listed stay.
        (await api.PutAsJsonAsync("/v1/recipients/old-owner/devices", new { provider = "fcm", token = "shared-phone" })).EnsureSuccessStatusCode();
        Assert.Equal(["updated"], Outcomes(await OkBulkAsync(api, new { externalId = "dev", devices = new[] { new { provider = "fcm", token = "shared-phone" } } })));
        Assert.Equal(2, (await api.GetFromJsonAsync<JsonElement>("/v1/recipients/dev/devices")).GetArrayLength());
    }

    [Fact]
    public async Task Locked_preferences_and_devices_given_twice_make_only_their_item_invalid()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();

        var answer = await OkBulkAsync(api,
            new { externalId = "a", preferences = new[] { new { category = "security", channel = "email", enabled = false } } },
            new { externalId = "b", devices = new[] { new { provider = "fcm", token = "t1" }, new { provider = "fcm", token = "t1" } } },
            new { externalId = "c", devices = new[] { new { provider = "fcm", token = "t2" } } },
            new { externalId = "d", devices = new[] { new { provider = "apns", token = "t3" }, new { provider = "fcm", token = "t2" } } },
            new { externalId = "e", preferences = new[] { new { category = "nope", channel = "email", enabled = true } } });

        Assert.Equal(["invalid", "invalid", "created", "invalid", "invalid"], Outcomes(answer));
        Assert.Equal(["recipients[0].preferences[0]"], ErrorPaths(answer, 0));
        Assert.Equal(["recipients[1].devices[1].token"], ErrorPaths(answer, 1));
        Assert.Equal(["recipients[3].devices[1].token"], ErrorPaths(answer, 3));
        Assert.Equal(["recipients[4].preferences[0].category"], ErrorPaths(answer, 4));
        await using var db = fixture.CreateDbContext();
        Assert.Equal(["c"], await db.Recipients.Where(r => r.TenantId == tenant.Id).Select(r => r.ExternalId).ToListAsync());
        Assert.Equal(["t2"], await db.Devices.Where(d => d.TenantId == tenant.Id).Select(d => d.Token).ToListAsync());
    }

    [Fact]
    public async Task The_bulk_path_accepts_and_refuses_exactly_what_the_single_upsert_does()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();
        Dictionary<string, object>[] inputs =
        [
            new() { ["email"] = "x@example.test" }, new() { ["email"] = "x@@example.test" }, new() { ["email"] = "Ada <a@example.test>" },
            new() { ["phone"] = "+1 (415) 555-0100" }, new() { ["phone"] = "0151 123" }, new() { ["locale"] = "de-at" }, new() { ["locale"] = "not a locale!" },
            new() { ["timeZone"] = "Mars/Olympus" }, new() { ["timeZone"] = "UTC" }, new() { ["roles"] = new[] { "a", "b" } },
            new() { ["attributes"] = new[] { 1 } }, new() { ["attributes"] = new { big = new string('x', 17_000) } }, new() { ["name"] = "tab\there" },
            new() { ["quietHours"] = new { start = "22:00", end = "22:00" } }, new() { ["quietHours"] = new { exceptions = new[] { "booking", "nope" } } },
        ];

        var items = inputs.Select((input, i) => new Dictionary<string, object>(input) { ["externalId"] = $"bulk-{i}" }).ToArray<object?>();
        var bulk = Outcomes(await OkBulkAsync(api, items));
        for (var i = 0; i < inputs.Length; i++)
        {
            var single = await api.PutAsJsonAsync($"/v1/recipients/single-{i}", inputs[i]);
            Assert.True((single.StatusCode == HttpStatusCode.Created) == (bulk[i] == "created"),
                $"Input {i} ({JsonSerializer.Serialize(inputs[i])[..Math.Min(60, JsonSerializer.Serialize(inputs[i]).Length)]}): PUT {(int)single.StatusCode}, bulk {bulk[i]}");
            if (bulk[i] == "created")
            {
                var viaBulk = await api.GetFromJsonAsync<JsonElement>($"/v1/recipients/bulk-{i}");
                var viaPut = await api.GetFromJsonAsync<JsonElement>($"/v1/recipients/single-{i}");
                foreach (var field in new[] { "name", "email", "phone", "locale", "timeZone", "roles", "attributes", "quietHours" })
                {
                    Assert.Equal(viaPut.GetProperty(field).GetRawText(), viaBulk.GetProperty(field).GetRawText());
                }
            }
        }

        Assert.Contains("created", bulk);
        Assert.Contains("invalid", bulk);
    }

    [Fact]
    public async Task More_than_a_thousand_items_or_a_body_without_the_list_is_refused_whole()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();

        var tooMany = await PostBulkAsync(api, [.. Enumerable.Range(0, 1001).Select(i => new { externalId = $"u{i}" })]);
        var problem = await tooMany.AssertProblemAsync(HttpStatusCode.BadRequest, "COMMS_VALIDATION");
        Assert.Contains("1,000", problem.GetProperty("errors").GetProperty("recipients")[0].GetString());
        await (await api.PostAsJsonAsync(Bulk, new { recipients = Array.Empty<object>() })).AssertValidationAsync("recipients");
        await (await api.PostAsJsonAsync(Bulk, new { people = new[] { new { externalId = "x" } } })).AssertValidationAsync("recipients");
        var array = await api.PostAsync(Bulk, new StringContent("""[{"externalId":"x"}]""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, array.StatusCode);

        await using var db = fixture.CreateDbContext();
        Assert.False(await db.Recipients.AnyAsync(r => r.TenantId == tenant.Id));

        var thousand = await OkBulkAsync(api, [.. Enumerable.Range(0, 1000).Select(i => new { externalId = $"u{i}", email = $"u{i}@example.test" })]);
        Assert.Equal(1000, thousand.GetProperty("created").GetInt32());
    }

    [Fact]
    public async Task A_tenant_syncs_only_its_own_recipients_and_readers_may_not_sync()
    {
        var mine = await TestTenant.CreateAsync(fixture);
        var theirs = await TestTenant.CreateAsync(fixture);
        (await theirs.ApiClient().PutAsJsonAsync("/v1/recipients/same", new { name = "Theirs" })).EnsureSuccessStatusCode();
        (await theirs.ApiClient().PutAsJsonAsync("/v1/recipients/same/devices", new { provider = "fcm", token = "their-phone" })).EnsureSuccessStatusCode();

        var answer = await OkBulkAsync(mine.ApiClient(), new { externalId = "same", name = "Mine", devices = new[] { new { provider = "fcm", token = "their-phone" } } });

        Assert.Equal(["created"], Outcomes(answer));
        var theirRecipient = await theirs.ApiClient().GetFromJsonAsync<JsonElement>("/v1/recipients/same");
        Assert.Equal("Theirs", theirRecipient.GetProperty("name").GetString());
        Assert.Equal(1, (await theirs.ApiClient().GetFromJsonAsync<JsonElement>("/v1/recipients/same/devices")).GetArrayLength());
        Assert.NotEqual(theirRecipient.GetProperty("id").GetGuid(), answer.GetProperty("items")[0].GetProperty("id").GetGuid());

        var reader = mine.ApiClient(await mine.AddApiKeyAsync("reader"));
        await (await PostBulkAsync(reader, new { externalId = "nope" })).AssertProblemAsync(HttpStatusCode.Forbidden, "COMMS_FORBIDDEN");
    }

    [Fact]
    public async Task Concurrent_calls_over_the_same_recipients_create_each_once_and_fail_none()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var api = tenant.ApiClient();
        var items = Enumerable.Range(0, 300).Select(i => new { externalId = $"r{i:D3}", email = $"r{i}@example.test", devices = new[] { new { provider = "fcm", token = $"t{i}" } } }).ToArray();

        // The same items, in opposite orders, three calls at once: whichever creates a row first, the others find it.
        var answers = await Task.WhenAll(
            OkBulkAsync(api, items),
            OkBulkAsync(api, [.. items.Reverse()]),
            OkBulkAsync(api, items));

        Assert.Equal(300, answers.Sum(a => a.GetProperty("created").GetInt32()));
        Assert.All(answers, a => Assert.Equal(0, a.GetProperty("invalid").GetInt32()));
        await using var db = fixture.CreateDbContext();
        Assert.Equal(300, await db.Recipients.CountAsync(r => r.TenantId == tenant.Id));
        Assert.Equal(300, await db.Devices.CountAsync(d => d.TenantId == tenant.Id));
    }

    private static bool Cell(JsonElement matrix, string category, string channel) =>
        matrix.GetProperty("categories").EnumerateArray().Single(c => c.GetProperty("category").GetString() == category)
            .GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == channel)
            .GetProperty("enabled").GetBoolean();
}
