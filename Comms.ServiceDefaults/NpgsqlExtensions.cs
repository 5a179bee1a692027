using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Stands in for the <c>Aspire.Npgsql</c> client integration: registers an <see cref="NpgsqlDataSource"/>
/// built from <c>ConnectionStrings:{name}</c>, with a health check and tracing.
/// </summary>
public static class NpgsqlExtensions
{
    public static IHostApplicationBuilder AddNpgsqlDataSource(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionString is missing. It should be provided in 'ConnectionStrings:{connectionName}' " +
                $"(environment variable ConnectionStrings__{connectionName}).");
        }

        builder.Services.AddSingleton(sp =>
        {
            var dataSource = new NpgsqlDataSourceBuilder(connectionString);
            dataSource.UseLoggerFactory(sp.GetService<ILoggerFactory>());
            return dataSource.Build();
        });

        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            "postgres",
            sp => new NpgsqlHealthCheck(sp.GetRequiredService<NpgsqlDataSource>()),
            failureStatus: HealthStatus.Unhealthy,
            tags: ["ready"],
            timeout: TimeSpan.FromSeconds(5)));

        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddNpgsql());

        return builder;
    }

    private sealed class NpgsqlHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "PostgreSQL is unreachable.", ex);
            }
        }
    }
}
