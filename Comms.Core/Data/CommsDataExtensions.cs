using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Comms.Core.Data;

public static class CommsDataExtensions
{
    /// <summary>
    /// Registers the pooled <see cref="CommsDbContext"/> over the <see cref="NpgsqlDataSource"/> that the
    /// service defaults registered from <c>ConnectionStrings:commsdb</c>.
    /// </summary>
    public static IServiceCollection AddCommsDbContext(this IServiceCollection services)
    {
        services.AddPooledDbContextFactory<CommsDbContext>((sp, options) =>
            options.UseCommsDatabase(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<CommsDbContext>>().CreateDbContext());
        return services;
    }

    public static DbContextOptionsBuilder UseCommsDatabase(this DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention();
}
