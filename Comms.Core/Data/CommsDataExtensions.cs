using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Comms.Core.Data;

public static class CommsDataExtensions
{
    /// <summary>The Aspire resource (and <c>ConnectionStrings:</c> key) of the system of record.</summary>
    public const string ConnectionName = "commsdb";

    /// <summary>
    /// PostgreSQL through Aspire's client integrations: <c>Aspire.Npgsql</c> registers the
    /// <see cref="NpgsqlDataSource"/> from <c>ConnectionStrings:commsdb</c> (settings under <c>Aspire:Npgsql</c>)
    /// with its health check, traces and metrics; <c>Aspire.Npgsql.EntityFrameworkCore.PostgreSQL</c> enriches the
    /// pooled <see cref="CommsDbContext"/> over it with EF Core's traces and metrics. Its retrying execution strategy
    /// stays off: the code runs explicit transactions (and the dispatcher retries whole units of work itself).
    /// </summary>
    public static TBuilder AddCommsDatabase<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Only commands that run inside a traced operation (a request, routing an event, a send) become spans: the
        // dispatchers' claim polls would otherwise bury every event's trace under thousands of one-query traces.
        builder.AddNpgsqlDataSource(ConnectionName, configureDataSourceBuilder: dataSource =>
        {
            dataSource.ConnectionStringBuilder.Options = WithoutJit(dataSource.ConnectionStringBuilder.Options);
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = MaxAutoPrepareOf(dataSource.ConnectionStringBuilder.ConnectionString);
            dataSource.ConfigureTracing(tracing => tracing
                .ConfigureCommandFilter(_ => Activity.Current is not null)
                .ConfigureBatchFilter(_ => Activity.Current is not null));
        });
        builder.Services.AddCommsDbContext();
        builder.EnrichNpgsqlDbContext<CommsDbContext>(settings =>
        {
            settings.DisableRetry = true;
            settings.DisableHealthChecks = true; // the data source's check already covers the database
        });
        return builder;
    }

    /// <summary>
    /// Adds <c>-c jit=off</c> to the session options (keeping any the connection string has). PostgreSQL's JIT
    /// compiles a plan whose estimated cost passes <c>jit_above_cost</c>; the queue's claim joins a CTE the planner
    /// cannot estimate, so on young tables (no statistics yet) its cost looked huge and every claim spent 1.5–3 s
    /// compiling (seen in the kill -9 reliability test: 100 in-app messages a second instead of thousands). Every
    /// statement here is a short indexed OLTP query, which JIT only slows down.
    /// </summary>
    public static string WithoutJit(string? options) =>
        string.IsNullOrWhiteSpace(options) ? "-c jit=off" : options.Contains("jit=", StringComparison.Ordinal) ? options : options + " -c jit=off";

    /// <summary>How many statements each pooled connection keeps prepared unless the connection string says otherwise.</summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>
    /// Npgsql's <c>Max Auto Prepare</c> for the services' connections: the connection string's own value when it sets one
    /// (0 turns it off), else <see cref="DefaultMaxAutoPrepare"/>. A statement a connection has run five times
    /// (<c>Auto Prepare Min Usages</c>) is then prepared on it — parsed and analysed once, and planned by PostgreSQL's plan
    /// cache — instead of parsed, analysed and planned on every execution. The queue's statements are CTEs over
    /// partitioned tables whose planning can cost more than their execution (the SMTP benchmark's PostgreSQL CPU per email,
    /// before and after, is in the README's "Email" section). Prepared statements survive the pool's reset of a connection.
    /// </summary>
    public static int MaxAutoPrepareOf(string? connectionString)
    {
        var settings = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString ?? "" };
        foreach (string key in settings.Keys)
        {
            if (key.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
            {
                return Convert.ToInt32(settings[key], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return DefaultMaxAutoPrepare;
    }

    /// <summary>
    /// Registers the pooled <see cref="CommsDbContext"/> over the <see cref="NpgsqlDataSource"/> registered from
    /// <c>ConnectionStrings:commsdb</c>.
    /// </summary>
    public static IServiceCollection AddCommsDbContext(this IServiceCollection services)
    {
        services.AddPooledDbContextFactory<CommsDbContext>((sp, options) =>
            options.UseCommsDatabase(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<CommsDbContext>>().CreateDbContext());
        return services;
    }

    /// <remarks>
    /// A failed command or save is logged by EF at Debug, not Error: the code catches the failures it expects
    /// (a unique violation from a concurrent insert is a race it handles on purpose), and a failure nobody
    /// handles still reaches the exception handler or the worker loop, which log it with its stack trace.
    /// </remarks>
    public static DbContextOptionsBuilder UseCommsDatabase(this DbContextOptionsBuilder options, NpgsqlDataSource dataSource,
        string migrationsHistoryTable = "__ef_migrations_history") =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable(migrationsHistoryTable))
            .UseSnakeCaseNamingConvention()
            .ConfigureWarnings(warnings => warnings.Log(
                (RelationalEventId.CommandError, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug)));
}
