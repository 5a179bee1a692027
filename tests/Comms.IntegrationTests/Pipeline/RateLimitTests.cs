extern alias api;

using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Comms.IntegrationTests.Infrastructure;
using Comms.IntegrationTests.Recipients;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>
/// Rate limits shared through Redis: 429 problem details with Retry-After, per API key, per user, per
/// operator address, per tenant plan, across replicas; failed authentications cut off; fail-open without Redis.
/// Each test runs its own API instances with low limits under their own Redis key prefix.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class RateLimitTests(CommsFixture fixture) : IAsyncDisposable
{
    private readonly List<ServiceFactory<api::Program>> _apis = [];

    private ServiceFactory<api::Program> LimitedApi(string prefix, Dictionary<string, string?> limits, Dictionary<string, string?>? overrides = null)
    {
        var settings = fixture.Settings
            .Concat(new Dictionary<string, string?> { ["Comms:RateLimits:KeyPrefix"] = prefix })
            .Concat(limits.Select(l => KeyValuePair.Create("Comms:RateLimits:" + l.Key, l.Value)))
            .Concat(overrides ?? [])
            .GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        var factory = new ServiceFactory<api::Program>(settings);
        _apis.Add(factory);
        return factory;
    }

    private static string Prefix() => "it-rl-" + Guid.NewGuid().ToString("N")[..8];

    private static HttpClient Client(ServiceFactory<api::Program> api, string token)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task AssertRateLimitedAsync(HttpResponseMessage response)
    {
        await response.AssertProblemAsync(HttpStatusCode.TooManyRequests, "COMMS_RATE_LIMITED");
        Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, $"Retry-After was '{response.Headers.RetryAfter}'.");
    }

    [Fact]
    public async Task The_request_after_an_api_keys_limit_is_429_with_retry_after_and_other_keys_are_unaffected()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var other = await TestTenant.CreateAsync(fixture, "ann");
        var api = LimitedApi(Prefix(), new() { ["ApiKey:PermitLimit"] = "5" });
        var client = Client(api, tenant.ApiKey);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/recipients/ann")).StatusCode);
        }

        await AssertRateLimitedAsync(await client.GetAsync("/v1/recipients/ann"));
        Assert.Equal(HttpStatusCode.OK, (await Client(api, other.ApiKey).GetAsync("/v1/recipients/ann")).StatusCode);
    }

    [Fact]
    public async Task Two_api_replicas_share_one_budget_through_redis()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var prefix = Prefix();
        var replicas = new[] { LimitedApi(prefix, new() { ["ApiKey:PermitLimit"] = "6" }), LimitedApi(prefix, new() { ["ApiKey:PermitLimit"] = "6" }) };
        var clients = replicas.Select(r => Client(r, tenant.ApiKey)).ToArray();

        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await clients[i % 2].GetAsync("/v1/recipients/ann")).StatusCode);
        }

        await AssertRateLimitedAsync(await clients[0].GetAsync("/v1/recipients/ann"));
        await AssertRateLimitedAsync(await clients[1].GetAsync("/v1/recipients/ann"));
    }

    [Fact]
    public async Task A_tenants_plan_set_by_the_operator_raises_its_limit()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var api = LimitedApi(Prefix(), new() { ["ApiKey:PermitLimit"] = "2", ["Plans:gold:ApiKey:PermitLimit"] = "5" });
        var sys = Client(api, CommsFixture.SysKey);
        var client = Client(api, tenant.ApiKey);

        var unknown = await sys.PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { plan = "platinum" });
        var gold = await sys.PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { plan = "gold" });

        await unknown.AssertValidationAsync("plan");
        Assert.Equal("gold", (await gold.JsonAsync(HttpStatusCode.OK)).GetProperty("plan").GetString());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/recipients/ann")).StatusCode);
        }

        await AssertRateLimitedAsync(await client.GetAsync("/v1/recipients/ann"));
    }

    [Fact]
    public async Task End_users_are_limited_each_on_their_own()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann", "bob");
        var api = LimitedApi(Prefix(), new() { ["User:PermitLimit"] = "3" });
        var ann = Client(api, fixture.UserToken(tenant.Id, "ann"));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await ann.GetAsync("/me/notifications/count")).StatusCode);
        }

        await AssertRateLimitedAsync(await ann.GetAsync("/me/notifications"));
        Assert.Equal(HttpStatusCode.OK, (await Client(api, fixture.UserToken(tenant.Id, "bob")).GetAsync("/me/notifications/count")).StatusCode);
    }

    [Fact]
    public async Task Operators_are_limited_per_client_address()
    {
        var api = LimitedApi(Prefix(), new() { ["Sys:PermitLimit"] = "2" });
        var sys = Client(api, CommsFixture.SysKey);

        Assert.Equal(HttpStatusCode.OK, (await sys.GetAsync("/sys/tenants?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sys.GetAsync("/sys/tenants?limit=1")).StatusCode);
        await AssertRateLimitedAsync(await sys.GetAsync("/sys/tenants?limit=1"));
    }

    [Fact]
    public async Task A_spray_of_wrong_keys_is_cut_off_before_any_lookup_even_for_a_right_key_from_that_address()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var api = LimitedApi(Prefix(), new() { ["FailedAuth:PermitLimit"] = "3" });

        for (var i = 0; i < 3; i++)
        {
            var wrong = await Client(api, $"cms_spray{i:D4}_{Guid.NewGuid():N}").GetAsync("/v1/recipients/ann");
            await wrong.AssertProblemAsync(HttpStatusCode.Unauthorized, "COMMS_UNAUTHORIZED");
        }

        await AssertRateLimitedAsync(await Client(api, "cms_spray9999_x").GetAsync("/v1/recipients/ann"));
        // The address is refused before its key is looked up: even the right key waits out the window.
        await AssertRateLimitedAsync(await Client(api, tenant.ApiKey).GetAsync("/v1/recipients/ann"));
        await AssertRateLimitedAsync(await Client(api, "wrong-sys-key").GetAsync("/sys/tenants"));
    }

    [Fact]
    public async Task Without_redis_the_limiter_fails_open_and_counts_it()
    {
        var tenant = await TestTenant.CreateAsync(fixture, "ann");
        var api = LimitedApi(Prefix(), new() { ["ApiKey:PermitLimit"] = "1" },
            new() { ["ConnectionStrings:redis"] = "127.0.0.1:1,abortConnect=false,connectTimeout=200,syncTimeout=200,asyncTimeout=200" });
        long failedOpen = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "comms.rate_limit.failed_open")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failedOpen, value));
        listener.Start();
        var client = Client(api, tenant.ApiKey);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/recipients/ann")).StatusCode);
        }

        Assert.True(Interlocked.Read(ref failedOpen) >= 3, $"failed_open counted {failedOpen}.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var api in _apis)
        {
            await api.DisposeAsync();
        }
    }
}
