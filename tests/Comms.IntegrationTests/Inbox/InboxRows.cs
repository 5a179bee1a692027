using Comms.Core.Inbox;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Isolation;

namespace Comms.IntegrationTests.Inbox;

/// <summary>Writes inbox items straight into the database (for tests of reading them), a second apart, oldest first.</summary>
public static class InboxRows
{
    public sealed record Row(
        string Title, string Category = "account", string? ThreadKey = null, bool Read = false, bool Archived = false, bool Seen = false,
        string? Link = null, string? BodyHtml = null);

    /// <summary>Returns the items' ids in the order given (the last is the newest).</summary>
    public static async Task<List<Guid>> AddAsync(CommsFixture fixture, TestTenant tenant, string externalId, params Row[] rows)
    {
        var recipientId = await DirectQueue.RecipientIdAsync(fixture, tenant, externalId);
        var start = InboxWriter.TruncateToMicroseconds(DateTimeOffset.UtcNow.AddHours(-1));
        await using var db = fixture.CreateDbContext();
        var ids = new List<Guid>();
        for (var i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            var at = start.AddSeconds(i);
            var id = Guid.CreateVersion7();
            db.InboxItems.Add(new InboxItem
            {
                Id = id, TenantId = tenant.Id, RecipientId = recipientId, MessageId = id, Category = row.Category, Title = row.Title,
                Body = row.Title, BodyHtml = row.BodyHtml ?? $"<p>{row.Title}</p>", Link = row.Link, ThreadKey = row.ThreadKey, CreatedAt = at,
                SeenAt = row.Seen || row.Read || row.Archived ? at : null, ReadAt = row.Read ? at : null, ArchivedAt = row.Archived ? at : null,
            });
            ids.Add(id);
        }

        await db.SaveChangesAsync();
        return ids;
    }

    public static Row[] Titles(int count, string prefix = "n") => Enumerable.Range(1, count).Select(i => new Row($"{prefix}{i}")).ToArray();
}
