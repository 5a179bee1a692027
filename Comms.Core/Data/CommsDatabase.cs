using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.Core.Data;

/// <summary>Applies the EF Core migrations (EF takes a database lock, so concurrent callers are safe).</summary>
public static class CommsDatabase
{
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        var options = new DbContextOptionsBuilder<CommsDbContext>();
        options.UseCommsDatabase(dataSource);
        await using var db = new CommsDbContext(options.Options);
        await db.Database.MigrateAsync(cancellationToken);
    }
}
