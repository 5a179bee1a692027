using Comms.Core.Auth;
using Comms.Core.Data;
using Comms.Core.Operators;
using Npgsql;

namespace Comms.Api.Extensions;

/// <summary>
/// <c>Comms.Api migrate</c>: applies the EF Core migrations and, in Development, the demo seed (and the seed operators), then
/// exits. The app host runs it once before the services start.
/// </summary>
public static partial class MigrateCommand
{
    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == "migrate";

    public static async Task<int> RunAsync(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Comms.Migrate");
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        if (await EnsureDatabaseAsync(app.Configuration.GetConnectionString(CommsDataExtensions.ConnectionName)!))
        {
            LogDatabaseCreated(logger);
        }

        await CommsDatabase.MigrateAsync(dataSource);
        LogMigrated(logger);

        if (app.Environment.IsDevelopment())
        {
            var apiKey = app.Configuration["Comms:Seed:ApiKey"] ?? DevelopmentSeed.DefaultApiKey;
            var signingSecret = app.Configuration["Comms:Seed:UserTokenSigningKey"];
            if (signingSecret is not { Length: >= 32 })
            {
                throw new InvalidOperationException(
                    "Comms:Seed:UserTokenSigningKey must be set (at least 32 characters) in Development: it is the secret of the demo tenant's signing key 'demo-dev'.");
            }

            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CommsDbContext>();
            await DevelopmentSeed.ApplyAsync(db, apiKey, signingSecret, scope.ServiceProvider.GetRequiredService<SigningSecretProtector>(), TimeProvider.System);
            await OperatorSeed.ApplyAsync(scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Operator>>(),
                scope.ServiceProvider.GetRequiredService<OperatorsDbContext>(),
                app.Configuration[OperatorSeed.PasswordSetting] is { Length: > 0 } password ? password : OperatorSeed.DefaultPassword, TimeProvider.System);
            LogSeeded(logger, DevelopmentSeed.TenantId);
        }

        return 0;
    }

    /// <summary>
    /// Creates the database when the server has none by that name yet (an existing server given to the app host
    /// by connection string, or a fresh one); true when it did.
    /// </summary>
    private static async Task<bool> EnsureDatabaseAsync(string connectionString)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", target.Database!);
        if (await exists.ExecuteScalarAsync() is not null)
        {
            return false;
        }

        await using var create = new NpgsqlCommand($"CREATE DATABASE {new NpgsqlCommandBuilder().QuoteIdentifier(target.Database!)}", connection);
        await create.ExecuteNonQueryAsync();
        return true;
    }

    [LoggerMessage(3, LogLevel.Information, "Database created.")]
    private static partial void LogDatabaseCreated(ILogger logger);

    [LoggerMessage(1, LogLevel.Information, "Database migrations applied.")]
    private static partial void LogMigrated(ILogger logger);

    [LoggerMessage(2, LogLevel.Information, "Development seed applied (tenant '{Tenant}').")]
    private static partial void LogSeeded(ILogger logger, string tenant);
}
