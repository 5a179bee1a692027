extern alias api;
extern alias dispatcher;
extern alias web;

using Comms.Core.Auth;
using Comms.Core.Data;
using Comms.TestServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Comms.IntegrationTests.Infrastructure;

/// <summary>
/// Real PostgreSQL, Redis and MailDev (throwaway servers from <c>Comms.TestServers</c>), and the
/// three services hosted in-process against them. The dispatcher's safety-net poll is set to a minute,
/// so every test that sees work done within its deadline proves the Redis wake-up path.
/// </summary>
public sealed class CommsFixture : IAsyncLifetime
{
    public const string SysKey = "integration-tests-sys-key";

    /// <summary>Base64 of 32 bytes: <c>Comms:Auth:SecretEncryptionKey</c> of the services under test.</summary>
    public const string SecretEncryptionKey = "aW50ZWdyYXRpb24tdGVzdHMtc2VjcmV0LWtleS0zMmI=";

    /// <summary>The API checks Twilio's webhook signatures with it (no account is configured, so the dispatcher sends no SMS).</summary>
    public const string TwilioAuthToken = "twilio-test-auth-token-7d3c";
    public const string InboundPassword = "inbound-test-password-5e1f";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Kid, string Secret)> _signingKeys = new(StringComparer.Ordinal);

    private readonly List<IAsyncDisposable> _owned = [];
    private NpgsqlDataSource? _dataSource;

    public PostgresServer Postgres { get; private set; } = null!;
    public RedisServer Redis { get; private set; } = null!;
    public MailDevServer Mail { get; private set; } = null!;
    public MailDevClient Mailbox { get; private set; } = null!;
    public string DatabaseConnectionString { get; private set; } = "";
    public ServiceFactory<api::Program> Api { get; private set; } = null!;
    public ServiceFactory<dispatcher::Program> Dispatcher { get; private set; } = null!;
    public WebServer Web { get; private set; } = null!;
    public StackExchange.Redis.IConnectionMultiplexer RedisClient { get; private set; } = null!;

    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:commsdb"] = DatabaseConnectionString,
        ["ConnectionStrings:redis"] = Redis.ConnectionString,
        ["ConnectionStrings:mail"] = Mail.ConnectionString,
        ["Comms:Auth:SecretEncryptionKey"] = SecretEncryptionKey,
        ["Comms:Sys:ApiKey"] = SysKey,
        ["Comms:Dispatcher:PollInterval"] = "00:01:00",
        // One process hosts many services here: no full collection of it at each one's start (on by default).
        ["Comms:WarmUp:Collect"] = "false",
        // ...and no tier-up rounds: the JIT's tiers are the whole process's, and each start would pay seconds for them.
        ["Comms:WarmUp:TierUpRounds"] = "0",
        ["Comms:Dispatcher:RetryBaseDelay"] = "00:00:00.200",
        // Unsubscribe links in emails point at the Web under test (it is started before the dispatcher).
        ["Comms:Links:PublicWebUrl"] = string.IsNullOrEmpty(Web?.BaseUrl) ? "http://127.0.0.1:5081" : Web.BaseUrl,
        // The shared services must not throttle the suite (in-process requests share one unknown client address);
        // RateLimitTests prove the limits on instances of their own.
        ["Comms:RateLimits:ApiKey:PermitLimit"] = "1000000",
        ["Comms:RateLimits:User:PermitLimit"] = "1000000",
        ["Comms:RateLimits:Sys:PermitLimit"] = "1000000",
        ["Comms:RateLimits:SignIn:PermitLimit"] = "1000000",
        ["Comms:RateLimits:FailedAuth:PermitLimit"] = "1000000",
        // Webhook tests deliver to a local WireMock server; WebhookEndpointsApiTests prove the refusal on an API of its own.
        ["Comms:Webhooks:AllowPrivateTargets"] = "true",
        // Provider callbacks (Feedback/): the test's SendGrid Event Webhook key and Twilio auth token.
        ["Comms:Providers:SendGrid:EventWebhookPublicKey"] = Feedback.ProviderSignatures.SendGridPublicKey,
        ["Comms:Providers:Twilio:AuthToken"] = TwilioAuthToken,
        ["Comms:Webhooks:StatusRetryBaseDelay"] = "00:00:00.200",
        // The operator inbox (Sys/SupportInboxTests): SendGrid Inbound Parse's basic-auth password and the reply-address domain.
        ["Comms:Inbound:SendGrid:Password"] = InboundPassword,
        ["Comms:Inbound:ReplyDomain"] = "inbound.example.test",
        ["Logging:LogLevel:Default"] = "Warning",
        // Races that tests provoke on purpose (unique violations) would otherwise fill the output with EF errors.
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "None",
    };

    public async Task InitializeAsync()
    {
        await Task.WhenAll(
            Task.Run(async () => Postgres = await PostgresServer.StartNewAsync()),
            Task.Run(async () => Redis = await RedisServer.StartNewAsync()),
            Task.Run(async () => Mail = await MailDevServer.StartNewAsync()));
        Mailbox = new MailDevClient(Mail.WebUrl);
        RedisClient = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);

        await Postgres.CreateDatabaseAsync("commsdb");
        DatabaseConnectionString = Postgres.ConnectionString("commsdb");
        _dataSource = NpgsqlDataSource.Create(DatabaseConnectionString);
        await CommsDatabase.MigrateAsync(_dataSource);

        Api = new ServiceFactory<api::Program>(Settings);
        Web = new WebServer(Settings);
        Web.Start();
        Dispatcher = StartDispatcher();
        _ = Api.Server;
    }

    /// <summary>
    /// Starts another dispatcher replica (disposed with the fixture unless the test disposes it),
    /// optionally on its own clock (a <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider"/>)
    /// and with extra services (e.g. a test channel sender).
    /// </summary>
    public ServiceFactory<dispatcher::Program> StartDispatcher(
        IReadOnlyDictionary<string, string?>? extra = null, TimeProvider? time = null, Action<IServiceCollection>? services = null)
    {
        var settings = Settings.Concat(extra ?? new Dictionary<string, string?>()).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        var factory = new ServiceFactory<dispatcher::Program>(settings, configure =>
        {
            if (time is not null)
            {
                configure.AddSingleton(time);
            }

            services?.Invoke(configure);
        });
        _ = factory.Server;
        _owned.Add(factory);
        return factory;
    }

    public CommsDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<CommsDbContext>();
        options.UseCommsDatabase(_dataSource!);
        return new CommsDbContext(options.Options);
    }

    public NpgsqlDataSource DataSource => _dataSource!;

    /// <summary>Tells every in-process service that a tenant's routing configuration changed (after direct database seeding).</summary>
    public async Task CatalogChangedAsync(string tenantId)
    {
        await RedisClient.GetSubscriber().PublishAsync(Comms.Core.Routing.CatalogChanges.Channel, tenantId);
    }

    /// <summary>Seals HS256 secrets the way the services under test do (same encryption key).</summary>
    public SigningSecretProtector SecretProtector { get; } =
        new(Microsoft.Extensions.Options.Options.Create(new UserTokenOptions { SecretEncryptionKey = SecretEncryptionKey }));

    /// <summary>The secret of the demo tenant's signing key <c>demo-dev</c> when tests apply the development seed.</summary>
    public const string DemoSigningSecret = "end-to-end-demo-dev-signing-secret-0123456789";

    /// <summary>Applies the development seed (tenant <c>demo</c>, alice and bob, <c>demo-api-key</c>, the seed operators; idempotent) and registers its signing key.</summary>
    public async Task SeedDemoAsync()
    {
        await using (var db = CreateDbContext())
        {
            await DevelopmentSeed.ApplyAsync(db, DevelopmentSeed.DefaultApiKey, DemoSigningSecret, SecretProtector, TimeProvider.System);
        }

        // The seed operators (ops@, ops2@, approver@example.test), through the API's own Identity services.
        await using (var scope = Api.Services.CreateAsyncScope())
        {
            await Comms.Core.Operators.OperatorSeed.ApplyAsync(
                scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Comms.Core.Operators.Operator>>(),
                scope.ServiceProvider.GetRequiredService<Comms.Core.Operators.OperatorsDbContext>(),
                Comms.Core.Operators.OperatorSeed.DefaultPassword, TimeProvider.System);
        }

        RegisterSigningKey(DevelopmentSeed.TenantId, DevelopmentSeed.SigningKeyId, DemoSigningSecret);
    }

    /// <summary>Remembers a tenant's HS256 key so that <see cref="UserToken"/> can sign with it.</summary>
    public void RegisterSigningKey(string tenantId, string kid, string secret) => _signingKeys[tenantId] = (kid, secret);

    /// <summary>A one-hour user token signed with the tenant's registered key (see <see cref="TestTenant"/>).</summary>
    public string UserToken(string tenantId, string externalId)
    {
        var (kid, secret) = _signingKeys.TryGetValue(tenantId, out var key)
            ? key
            : throw new InvalidOperationException($"Tenant '{tenantId}' has no registered signing key.");
        return UserTokens.IssueHs256(secret, kid, tenantId, externalId, TimeSpan.FromHours(1), TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        if (Web is not null)
        {
            await Web.DisposeAsync();
        }

        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        if (RedisClient is not null)
        {
            await RedisClient.DisposeAsync();
        }

        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        await Mail.DisposeAsync();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();

        // Every answer an API host gave during the run is one the OpenAPI document declares (see DocumentedAnswersTests).
        using var document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Pipeline.OpenApiContractTests.CommittedPath));
        var undocumented = AnswerLog.Undocumented(document.RootElement, AnswerLog.All);
        if (undocumented.Count > 0)
        {
            throw new InvalidOperationException("Answers docs/openapi/v1.json does not declare:\n" + string.Join("\n", undocumented));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CommsCollection : ICollectionFixture<CommsFixture>
{
    public const string Name = "comms";
}
