using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace Comms.Core.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running service.</summary>
internal sealed class CommsDbContextFactory : IDesignTimeDbContextFactory<CommsDbContext>
{
    public CommsDbContext CreateDbContext(string[] args)
    {
        var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Database=commsdb;Username=postgres");
        var options = new DbContextOptionsBuilder<CommsDbContext>();
        options.UseCommsDatabase(dataSource);
        return new CommsDbContext(options.Options);
    }
}
