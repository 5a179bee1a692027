using Comms.Core.Audit;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Comms.IntegrationTests.Feedback;

/// <summary>The audit log is append-only (the database refuses UPDATE, DELETE and TRUNCATE) and written with the caller's transaction.</summary>
[Collection(CommsCollection.Name)]
public sealed class AuditLogTests(CommsFixture fixture)
{
    private AuditLog Log() => new(fixture.DataSource, new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero)));

    [Fact]
    public async Task Records_are_appended_alone_or_with_the_caller_s_transaction_and_never_changed()
    {
        var tenant = "t" + Guid.NewGuid().ToString("N")[..10];
        var log = Log();
        await log.AppendAsync(tenant, "api-key:1", "test.alone", "thing:1", new { why = "test" }, CancellationToken.None);
        await log.AppendAsync(null, "sys", "test.platform", "tenant:" + tenant, null, CancellationToken.None);

        await using (var connection = await fixture.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await log.AppendAsync(connection, transaction, tenant, "api-key:1", "test.rolled-back", "thing:2", null, CancellationToken.None);
            await transaction.RollbackAsync();
        }

        await using (var db = fixture.CreateDbContext())
        {
            log.Add(db, tenant, "api-key:1", "test.ef", "thing:3");
            await db.SaveChangesAsync();
        }

        await using (var db = fixture.CreateDbContext())
        {
            var rows = await db.AuditLog.AsNoTracking().Where(a => a.TenantId == tenant || a.Target == "tenant:" + tenant).OrderBy(a => a.Id).ToListAsync();
            Assert.Equal(["test.alone", "test.platform", "test.ef"], rows.Select(r => r.Action));
            Assert.Equal("""{"why": "test"}""", rows[0].Metadata);
            Assert.Null(rows[1].TenantId);
            Assert.Equal(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero), rows[0].CreatedAt);
        }

        foreach (var sql in new[]
                 {
                     $"UPDATE audit_log SET action = 'forged' WHERE tenant_id = '{tenant}'",
                     $"DELETE FROM audit_log WHERE tenant_id = '{tenant}'",
                     "TRUNCATE audit_log",
                 })
        {
            await using var command = fixture.DataSource.CreateCommand(sql);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
            Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
        }

        await using (var db = fixture.CreateDbContext())
        {
            Assert.Equal(3, await db.AuditLog.CountAsync(a => a.TenantId == tenant || a.Target == "tenant:" + tenant));
            Assert.False(await db.AuditLog.AnyAsync(a => a.Action == "forged"));
        }
    }
}
