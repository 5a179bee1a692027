using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.Core.Data;

/// <summary>Applies the EF Core migrations (of CommsDbContext, then OperatorsDbContext) (EF takes a database lock, so concurrent callers are safe).</summary>
public static class CommsDatabase
{
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        var options = new DbContextOptionsBuilder<CommsDbContext>();
        options.UseCommsDatabase(dataSource);
        await using var db = new CommsDbContext(options.Options);
        await db.Database.MigrateAsync(cancellationToken);

        // Operators (ASP.NET Core Identity) live in the same database with their own context and history table.
        await using var operators = Operators.OperatorsDbContext.Create(dataSource);
        await operators.Database.MigrateAsync(cancellationToken);
    }
}
