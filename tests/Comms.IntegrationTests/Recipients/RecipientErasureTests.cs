using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Privacy;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.IntegrationTests.Recipients;

/// <summary>GDPR erasure (SPEC S11): <c>POST /v1/recipients/{externalId}/erase</c>.</summary>
[Collection(CommsCollection.Name)]
public sealed partial class RecipientErasureTests(CommsFixture fixture)
{
    [Fact]
    public async Task After_an_erasure_no_table_holds_a_trace_of_the_person_and_the_delivery_records_stay()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var person = Person.Distinctive();
        var eventId = await PrivacySupport.DeliverAsync(fixture, tenant, person);
        Assert.NotEmpty(await TablesHoldingAsync(person.Traces));
        var before = await RecordsAsync(eventId);

        var erased = await tenant.ApiClient().PostAsync($"/v1/recipients/{person.ExternalId}/erase", null);

        var summary = await erased.JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, summary.GetProperty("messages").GetInt32());
        Assert.Equal(2, summary.GetProperty("renders").GetInt32());
        Assert.Equal(1, summary.GetProperty("inboxItems").GetInt32());
        Assert.Equal(1, summary.GetProperty("devices").GetInt32());
        Assert.True(summary.GetProperty("webhookDeliveries").GetInt32() > 0);
        Assert.Empty(await TablesHoldingAsync(person.Traces));

        // Delivery records, counts and decisions stay (without personal data).
        Assert.Equal(before, await RecordsAsync(eventId));
        var recipientId = summary.GetProperty("recipientId").GetGuid();
        await using (var db = fixture.CreateDbContext())
        {
            var row = await db.Recipients.AsNoTracking().SingleAsync(r => r.Id == recipientId);
            Assert.Equal(ErasedIds.Tombstone(person.ExternalId), row.ExternalId);
            Assert.NotNull(row.ErasedAt);
            var audit = await db.AuditLog.AsNoTracking().SingleAsync(a => a.TenantId == tenant.Id && a.Action == RecipientErasure.AuditAction);
            Assert.Equal("recipient:" + recipientId, audit.Target);
            Assert.StartsWith("api-key:", audit.Actor, StringComparison.Ordinal);
        }

        var api = tenant.ApiClient();
        var decisions = await api.GetFromJsonAsync<JsonElement>($"/v1/events/{eventId}");
        Assert.All(decisions.GetProperty("decisions").EnumerateArray(),
            d => Assert.Equal(ErasedIds.Tombstone(person.ExternalId), d.GetProperty("recipient").GetString()));

        // The person is gone for the API; the id cannot be re-used, erased twice, or exported.
        await (await api.GetAsync($"/v1/recipients/{person.ExternalId}")).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
        await (await api.PutAsJsonAsync($"/v1/recipients/{person.ExternalId}", new { name = "Again" }))
            .AssertProblemAsync(HttpStatusCode.Conflict, "COMMS_RECIPIENT_ERASED");
        await (await api.PostAsync($"/v1/recipients/{person.ExternalId}/erase", null)).AssertProblemAsync(HttpStatusCode.Conflict, "COMMS_RECIPIENT_ERASED");
        await (await api.GetAsync($"/v1/recipients/{person.ExternalId}/export")).AssertProblemAsync(HttpStatusCode.Conflict, "COMMS_RECIPIENT_ERASED");
        await (await api.PutAsJsonAsync($"/v1/recipients/{ErasedIds.Tombstone(person.ExternalId)}", new { name = "Forged" }))
            .AssertValidationAsync("externalId");
        // Nor through the bulk sync: the item is invalid, the others of the call are stored.
        var synced = await (await api.PostAsJsonAsync("/v1/recipients/bulk", new
        {
            recipients = new object[] { new { externalId = person.ExternalId, name = "Again" }, new { externalId = "someone-else", name = "Other" } },
        })).JsonAsync(HttpStatusCode.OK);
        var items = synced.GetProperty("items");
        Assert.Equal("invalid", items[0].GetProperty("outcome").GetString());
        Assert.Contains("COMMS_RECIPIENT_ERASED", items[0].GetProperty("errors").GetProperty("recipients[0].externalId")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("created", items[1].GetProperty("outcome").GetString());
        var list = await api.GetFromJsonAsync<JsonElement>("/v1/recipients");
        Assert.Equal(1, list.GetProperty("items").GetArrayLength());
        Assert.Equal("someone-else", list.GetProperty("items")[0].GetProperty("externalId").GetString());

        // Their messages are never sent again, even a failed one.
        await using (var command = fixture.DataSource.CreateCommand($"UPDATE messages SET status = 'failed' WHERE event_id = '{eventId}' AND channel = 'email' RETURNING id"))
        {
            var failed = (Guid)(await command.ExecuteScalarAsync())!;
            await (await api.PostAsync($"/v1/messages/{failed}/resend", null)).AssertProblemAsync(HttpStatusCode.Conflict, "COMMS_RECIPIENT_ERASED");
            var bulk = await (await api.PostAsJsonAsync("/v1/messages/resend", new { ids = new[] { failed } })).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(0, bulk.GetProperty("requeued").GetInt32());
        }
    }

    [Fact]
    public async Task Work_in_flight_for_the_person_is_dropped_with_COMMS_RECIPIENT_ERASED()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var now = DateTimeOffset.UtcNow;
        var externalId = "inflight-" + Guid.NewGuid().ToString("N")[..8];
        var recipient = await tenant.AddRecipientAsync(externalId, r =>
        {
            // Inside quiet hours now: the welcome is deferred (queued with a later due time).
            r.QuietHoursEnabled = true;
            r.QuietHoursStart = TimeOnly.FromDateTime(now.UtcDateTime.AddHours(-1));
            r.QuietHoursEnd = TimeOnly.FromDateTime(now.UtcDateTime.AddHours(2));
        });
        object Welcome(string cause, DateTimeOffset? sendAt = null) => new
        {
            name = TestTenant.WelcomeEvent, recipients = new[] { externalId }, causeRef = cause, category = "account",
            payload = new { name = "Deferred" }, sendAt,
        };
        var deferred = await tenant.PostEventAsync(Welcome("deferred"));
        Assert.Contains(("email", "deferred"), (await tenant.DecisionsAsync(deferred)).Select(d => (d.Channel, d.Outcome)));
        await Poll.UntilAsync(async () =>
        {
            // In-app is not held by quiet hours: let it arrive, so that only the deferred email is in flight.
            await using var db = fixture.CreateDbContext();
            return await db.Messages.AnyAsync(m => m.EventId == deferred && m.Channel == "in_app" && m.Status == "sent");
        }, "the in-app item");
        var scheduled = await tenant.PostEventAsync(Welcome("scheduled", DateTimeOffset.UtcNow.AddSeconds(6)));

        var summary = await (await tenant.ApiClient().PostAsync($"/v1/recipients/{externalId}/erase", null)).JsonAsync(HttpStatusCode.OK);
        var erasedAt = summary.GetProperty("erasedAt").GetDateTimeOffset();
        var later = await tenant.PostEventAsync(Welcome("after"));

        // The deferred email is cancelled, with its decision.
        var dropped = (await tenant.DecisionsAsync(deferred)).Where(d => d.Reason == "COMMS_RECIPIENT_ERASED").Select(d => d.Channel);
        Assert.Equal(["email"], dropped);
        await using (var db = fixture.CreateDbContext())
        {
            Assert.Equal("cancelled", (await db.Messages.AsNoTracking().SingleAsync(m => m.RecipientId == recipient.Id && m.Channel == "email")).Status);
        }

        // The event still pending at the erasure (and one posted after it) reach the router, which drops the person.
        foreach (var eventId in new[] { scheduled, later })
        {
            var decision = Assert.Single(await tenant.DecisionsAsync(eventId));
            Assert.Equal(("blocked", "COMMS_RECIPIENT_ERASED"), (decision.Outcome, decision.Reason));
            Assert.Equal(ErasedIds.Tombstone(externalId), decision.Recipient);
        }

        await using (var db = fixture.CreateDbContext())
        {
            var routed = await db.Events.AsNoTracking().SingleAsync(e => e.Id == scheduled);
            Assert.True(routed.RoutedAt > erasedAt, "the scheduled event was routed after the erasure");
            Assert.Equal([ErasedIds.Tombstone(externalId)], routed.Recipients!);
            Assert.False(await db.Messages.AnyAsync(m => m.RecipientId == recipient.Id && m.EventId != deferred));
        }
    }

    [Fact]
    public async Task An_open_digest_of_the_person_is_dropped_with_COMMS_RECIPIENT_ERASED()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "dora");
        await tenant.AddTemplateAsync("comments.digest", Comms.Core.Messages.Channel.Email, new() { Subject = "{{ count }} new comments", Text = "new" });
        await tenant.SetRuleAsync("comment.added", new
        {
            templateName = "comment.added", category = "messages", channels = new[] { "email" },
            digest = new { key = "thread:{{ thread }}", windowSeconds = 600, templateName = "comments.digest" },
        });
        var eventId = await tenant.PostEventAsync(new
        {
            name = "comment.added", recipients = new[] { "dora" }, causeRef = "comment:1", payload = new { thread = "secret-thread", author = "x" },
        });
        Assert.Equal("digested", Assert.Single(await tenant.DecisionsAsync(eventId)).Outcome);

        var summary = await (await tenant.ApiClient().PostAsync("/v1/recipients/dora/erase", null)).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(1, summary.GetProperty("digests").GetInt32());
        Assert.Equal(1, summary.GetProperty("droppedInFlight").GetInt32());
        Assert.Contains(("email", "blocked", "COMMS_RECIPIENT_ERASED"), (await tenant.DecisionsAsync(eventId)).Select(d => (d.Channel, d.Outcome, d.Reason)));
        await using var db = fixture.CreateDbContext();
        var digest = await db.Digests.AsNoTracking().SingleAsync(d => d.TenantId == tenant.Id);
        Assert.Equal(("failed", "COMMS_RECIPIENT_ERASED"), (digest.Status, digest.LastError));
        Assert.Equal("erased:" + digest.Id, digest.DigestKey);
        Assert.Equal("{}", (await db.DigestEntries.AsNoTracking().SingleAsync(e => e.DigestId == digest.Id)).Payload);
    }

    [Fact]
    public async Task The_immutability_triggers_let_only_the_erasure_through()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var person = Person.Distinctive();
        var other = await tenant.AddRecipientAsync("other");
        var eventId = await PrivacySupport.DeliverAsync(fixture, tenant, person);
        Guid recipientId, messageId;
        await using (var db = fixture.CreateDbContext())
        {
            recipientId = (await db.Recipients.SingleAsync(r => r.TenantId == tenant.Id && r.ExternalId == person.ExternalId)).Id;
            messageId = (await db.Messages.FirstAsync(m => m.EventId == eventId)).Id;
        }

        var tombstone = ErasedIds.Tombstone(person.ExternalId);
        var renderTombstone = $"UPDATE message_renders SET content = '{{\"subject\":\"[erased]\"}}' WHERE message_id = '{messageId}'";
        var decisionTombstone = $"UPDATE decisions SET recipient_external_id = '{tombstone}', detail = NULL WHERE event_id = '{eventId}'";
        // Plain application updates are refused, as before.
        await AssertRefusedAsync(null, renderTombstone);
        await AssertRefusedAsync(null, decisionTombstone);
        await AssertRefusedAsync(null, $"UPDATE decisions SET outcome = 'queued' WHERE event_id = '{eventId}'");
        // An erasure of someone else does not open this person's rows.
        await AssertRefusedAsync(other.Id, renderTombstone);
        await AssertRefusedAsync(other.Id, decisionTombstone);
        // The erasure of this person allows tombstones only, and no other column.
        await AssertRefusedAsync(recipientId, $"UPDATE message_renders SET content = '{{\"subject\":\"forged\"}}' WHERE message_id = '{messageId}'");
        await AssertRefusedAsync(recipientId, $"UPDATE decisions SET recipient_external_id = 'forged' WHERE event_id = '{eventId}'");
        await AssertRefusedAsync(recipientId, $"UPDATE decisions SET detail = NULL, reason = 'COMMS_FORGED' WHERE event_id = '{eventId}'");
        Assert.Equal(1, await InErasureAsync(recipientId, renderTombstone));
        Assert.True(await InErasureAsync(recipientId, decisionTombstone) >= 2);
    }

    [Fact]
    public async Task Erasure_and_export_need_an_admin_key_and_an_existing_recipient()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "alice");
        var editor = tenant.ApiClient(await tenant.AddApiKeyAsync("editor", "editor"));

        await (await editor.PostAsync("/v1/recipients/alice/erase", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "COMMS_FORBIDDEN");
        await (await editor.GetAsync("/v1/recipients/alice/export")).AssertProblemAsync(HttpStatusCode.Forbidden, "COMMS_FORBIDDEN");
        await (await tenant.ApiClient().PostAsync("/v1/recipients/nobody/erase", null)).AssertProblemAsync(HttpStatusCode.NotFound, "COMMS_RECIPIENT_NOT_FOUND");
        await using var db = fixture.CreateDbContext();
        Assert.Null((await db.Recipients.AsNoTracking().SingleAsync(r => r.TenantId == tenant.Id && r.ExternalId == "alice")).ErasedAt);
    }

    /// <summary>Every table of the schema (each row cast to text) that holds one of the values.</summary>
    private async Task<List<string>> TablesHoldingAsync(IReadOnlyList<string> values)
    {
        var tables = new List<string>();
        await using (var list = fixture.DataSource.CreateCommand(
            "SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name"))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("message_renders", tables);
        var holding = new List<string>();
        foreach (var table in tables)
        {
            await using var command = fixture.DataSource.CreateCommand($"SELECT count(*) FROM \"{table}\" t WHERE t::text ILIKE ANY(@patterns)");
            command.Parameters.AddWithValue("patterns", values.Select(v => "%" + v + "%").ToArray());
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                holding.Add(table);
            }
        }

        return holding;
    }

    /// <summary>What must survive an erasure: the event's messages (channel, status, attempts), decisions (channel, outcome, reason).</summary>
    private async Task<string> RecordsAsync(Guid eventId)
    {
        await using var db = fixture.CreateDbContext();
        var messages = await db.Messages.AsNoTracking().Where(m => m.EventId == eventId).OrderBy(m => m.Id)
            .Select(m => m.Channel + ":" + m.Status + ":" + m.Attempts).ToListAsync();
        var decisions = await db.Decisions.AsNoTracking().Where(d => d.EventId == eventId).OrderBy(d => d.Id)
            .Select(d => d.Channel + ":" + d.Outcome + ":" + d.Reason).ToListAsync();
        var inbox = await db.InboxItems.CountAsync(i => i.EventId == eventId);
        return string.Join(",", messages) + "|" + string.Join(",", decisions) + "|" + inbox;
    }

    private async Task AssertRefusedAsync(Guid? erasing, string sql)
    {
        var refused = await Assert.ThrowsAsync<PostgresException>(() => InErasureAsync(erasing, sql));
        Assert.True(PostgresErrorCodes.RestrictViolation == refused.SqlState, $"{sql}: {refused.SqlState} {refused.MessageText}");
    }

    /// <summary>Runs the statement in a transaction that names <paramref name="erasing"/> in comms.erasure (if given), then rolls back.</summary>
    private async Task<int> InErasureAsync(Guid? erasing, string sql)
    {
        await using var connection = await fixture.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (erasing is { } id)
        {
            await using var set = new NpgsqlCommand($"SELECT set_config('comms.erasure', '{id}', true)", connection, transaction);
            await set.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand(sql, connection, transaction);
        var affected = await command.ExecuteNonQueryAsync();
        await transaction.RollbackAsync();
        return affected;
    }
}
