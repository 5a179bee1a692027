using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Data;
using Comms.TestServers;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.ReliabilityTests.Faults;

/// <summary>
/// PostgreSQL, Redis and MailDev for the fault suite, and the environment that points real service processes at
/// them. The tests pause, kill and restart these servers, so they are not shared with the in-process suites.
/// </summary>
public sealed class FaultServers : IAsyncLifetime
{
    public const string SysKey = "reliability-faults-sys-key";
    private const string SecretEncryptionKey = "cmVsaWFiaWxpdHktZmF1bHRzLXNlY3JldC1rZXktMzI=";

    public PostgresServer Postgres { get; private set; } = null!;
    public RedisServer Redis { get; private set; } = null!;
    public MailDevServer Mail { get; private set; } = null!;
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(
            Task.Run(async () => Postgres = await PostgresServer.StartNewAsync()),
            Task.Run(async () => Redis = await RedisServer.StartNewAsync()),
            Task.Run(async () => Mail = await MailDevServer.StartNewAsync()));
        await Postgres.CreateDatabaseAsync("commsdb");
        DataSource = NpgsqlDataSource.Create(Postgres.ConnectionString("commsdb"));
        await CommsDatabase.MigrateAsync(DataSource);
    }

    /// <summary>The settings of a Development run (see each service's appsettings.Development.json), as environment variables.</summary>
    public Dictionary<string, string> Environment(IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__commsdb"] = Postgres.ConnectionString("commsdb"),
            ["ConnectionStrings__redis"] = Redis.ConnectionString,
            ["ConnectionStrings__mail"] = Mail.ConnectionString,
            ["Comms__Auth__SecretEncryptionKey"] = SecretEncryptionKey,
            ["Comms__Sys__ApiKey"] = SysKey,
            ["Comms__RateLimits__Enabled"] = "false",
            ["Comms__Dispatcher__PollInterval"] = "00:00:01",
            ["Comms__Dispatcher__RetryBaseDelay"] = "00:00:00.200",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "None",
            ["OTEL_SDK_DISABLED"] = "true",
            // The tests wait for /alive, not /health, and time what follows: no tier-up rounds (seconds of the two cores,
            // and /health "warming up" meanwhile).
            ["Comms__WarmUp__TierUpRounds"] = "0",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    /// <summary>A dispatcher replica (not started).</summary>
    public ServiceProcess Dispatcher(string name, IReadOnlyDictionary<string, string>? extra = null) =>
        new("Comms.Dispatcher", name, ServerProcess.FreePort(), Environment(extra));

    /// <summary>Starts the API as a process and waits until it answers.</summary>
    public async Task<ServiceProcess> StartApiAsync()
    {
        var api = new ServiceProcess("Comms.Api", "api", ServerProcess.FreePort(), Environment());
        api.Start();
        await api.WaitAliveAsync();
        return api;
    }

    public CommsDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<CommsDbContext>();
        options.UseCommsDatabase(DataSource);
        return new CommsDbContext(options.Options);
    }

    /// <summary>Creates a tenant through <c>POST /sys/tenants</c> and returns a client with its admin key.</summary>
    public static async Task<(string TenantId, HttpClient Client)> CreateTenantAsync(ServiceProcess api, string prefix)
    {
        var id = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 11)];
        using var sys = new HttpClient { BaseAddress = api.Url };
        sys.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SysKey);
        var response = await sys.PostAsJsonAsync("/sys/tenants", new { id, name = "Faults " + id });
        var created = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var client = new HttpClient { BaseAddress = api.Url, Timeout = TimeSpan.FromSeconds(15) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("adminKey").GetString());
        return (id, client);
    }

    /// <summary>Sends a JSON request and throws unless it succeeded.</summary>
    public static async Task SendAsync(HttpClient client, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async Task<long> ScalarAsync(string sql, string tenantId)
    {
        await using var command = DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("t", tenantId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The emails MailDev caught for addresses of <paramref name="domain"/>: recipient, subject and Message-Id.</summary>
    public async Task<List<CaughtMail>> MailsAsync(string domain)
    {
        using var http = new HttpClient();
        var all = await http.GetFromJsonAsync<List<JsonElement>>($"{Mail.WebUrl}/api/email") ?? [];
        return all.SelectMany(m => m.GetProperty("to").EnumerateArray().Select(t => new CaughtMail(
                t.GetProperty("address").GetString()!, m.GetProperty("subject").GetString()!,
                MessageIdOf(m))))
            .Where(m => m.To.EndsWith("@" + domain, StringComparison.OrdinalIgnoreCase))
            .ToList();
    }

    private static string? MessageIdOf(JsonElement mail) =>
        mail.TryGetProperty("messageId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()
        : mail.TryGetProperty("headers", out var headers) && headers.TryGetProperty("message-id", out var header) ? header.GetString()
        : null;

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await Mail.DisposeAsync();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultServers>
{
    public const string Name = "fault servers";
}

/// <summary>One email as MailDev caught it.</summary>
public sealed record CaughtMail(string To, string Subject, string? MessageId);
