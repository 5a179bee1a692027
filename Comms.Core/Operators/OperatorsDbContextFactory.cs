using Microsoft.EntityFrameworkCore.Design;
using Npgsql;

namespace Comms.Core.Operators;

/// <summary>Lets <c>dotnet ef migrations add ... --context OperatorsDbContext</c> build the model without a running service.</summary>
internal sealed class OperatorsDbContextFactory : IDesignTimeDbContextFactory<OperatorsDbContext>
{
    public OperatorsDbContext CreateDbContext(string[] args) =>
        OperatorsDbContext.Create(NpgsqlDataSource.Create("Host=127.0.0.1;Database=commsdb;Username=postgres"));
}
