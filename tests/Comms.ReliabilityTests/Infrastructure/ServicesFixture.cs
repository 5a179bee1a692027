extern alias api;
extern alias dispatcher;

using System.Net.Http.Headers;
using Comms.Core.Auth;
using Comms.Core.Data;
using Comms.TestServers;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.ReliabilityTests.Infrastructure;

/// <summary>
/// Real PostgreSQL, Redis and MailDev (throwaway servers from <c>Comms.TestServers</c>) with the API and a
/// dispatcher hosted in-process against them, for the tenant-isolation and hostile-input suites. The API listens
/// on Kestrel (a loopback port), so requests travel as sent: raw paths with dot segments and encoded slashes,
/// chunked bodies, and the server's own limits, as in production.
/// </summary>
public sealed class ServicesFixture : IAsyncLifetime
{
    public const string SysKey = "reliability-tests-sys-key";

    /// <summary>Base64 of 32 bytes: <c>Comms:Auth:SecretEncryptionKey</c> of the services under test.</summary>
    public const string SecretEncryptionKey = "cmVsaWFiaWxpdHktdGVzdHMtc2VjcmV0LWtleS0zMmI=";

    private NpgsqlDataSource? _dataSource;

    public PostgresServer Postgres { get; private set; } = null!;
    public RedisServer Redis { get; private set; } = null!;
    public MailDevServer Mail { get; private set; } = null!;
    public ServiceFactory<api::Program> Api { get; private set; } = null!;
    public ServiceFactory<dispatcher::Program> Dispatcher { get; private set; } = null!;
    public NpgsqlDataSource DataSource => _dataSource!;

    /// <summary>The API's Kestrel address (a loopback port).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Seals HS256 secrets the way the services under test do (same encryption key).</summary>
    public SigningSecretProtector SecretProtector { get; } =
        new(Microsoft.Extensions.Options.Options.Create(new UserTokenOptions { SecretEncryptionKey = SecretEncryptionKey }));

    public async Task InitializeAsync()
    {
        await Task.WhenAll(
            Task.Run(async () => Postgres = await PostgresServer.StartNewAsync()),
            Task.Run(async () => Redis = await RedisServer.StartNewAsync()),
            Task.Run(async () => Mail = await MailDevServer.StartNewAsync()));
        await Postgres.CreateDatabaseAsync("commsdb");
        var connectionString = Postgres.ConnectionString("commsdb");
        _dataSource = NpgsqlDataSource.Create(connectionString);
        await CommsDatabase.MigrateAsync(_dataSource);

        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:commsdb"] = connectionString,
            ["ConnectionStrings:redis"] = Redis.ConnectionString,
            ["ConnectionStrings:mail"] = Mail.ConnectionString,
            ["Comms:Auth:SecretEncryptionKey"] = SecretEncryptionKey,
            ["Comms:Sys:ApiKey"] = SysKey,
            ["Comms:Dispatcher:PollInterval"] = "00:00:01",
            // One process hosts many services here: no full collection of it at each one's start (on by default).
            ["Comms:WarmUp:Collect"] = "false",
            // ...and no tier-up rounds: the JIT's tiers are the whole process's, and each start would pay seconds for them.
            ["Comms:WarmUp:TierUpRounds"] = "0",
            // The suites send thousands of requests from one in-process client address.
            ["Comms:RateLimits:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "None",
        };
        Api = new ServiceFactory<api::Program>(settings);
        Api.UseKestrel(0);
        Api.StartServer();
        using (var probe = Api.CreateClient())
        {
            BaseAddress = probe.BaseAddress!;
        }

        Dispatcher = new ServiceFactory<dispatcher::Program>(settings);
        _ = Dispatcher.Server;
    }

    public CommsDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<CommsDbContext>();
        options.UseCommsDatabase(DataSource);
        return new CommsDbContext(options.Options);
    }

    /// <summary>A client of the in-process API with <c>Authorization: Bearer <paramref name="bearer"/></c> (none when null).</summary>
    public HttpClient Client(string? bearer)
    {
        var client = Api.CreateClient(new() { BaseAddress = BaseAddress, AllowAutoRedirect = false });
        client.Timeout = TimeSpan.FromSeconds(60);
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        if (Dispatcher is not null)
        {
            await Dispatcher.DisposeAsync();
        }

        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        await Mail.DisposeAsync();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ServicesCollection : ICollectionFixture<ServicesFixture>
{
    public const string Name = "in-process services";
}
