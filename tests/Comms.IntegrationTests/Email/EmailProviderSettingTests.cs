extern alias api;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Email;

/// <summary>
/// The email provider of a deployment (<c>Comms:Channels:Email:Provider</c>) and of a tenant (<c>PATCH /sys/tenants/{id}</c>
/// field <c>emailProvider</c>): only a provider this deployment configured is accepted.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class EmailProviderSettingTests(CommsFixture fixture)
{
    private static HttpClient Sys(ServiceFactory<api::Program> api)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", CommsFixture.SysKey);
        return client;
    }

    [Theory]
    [InlineData("sendgrid", "not configured in this deployment")] // known, but this API has no SendGrid key
    [InlineData("pigeon", "Unknown email provider 'pigeon'")]
    public async Task A_provider_that_is_unknown_or_not_configured_is_refused_naming_the_field_and_nothing_changes(string provider, string problem)
    {
        var tenant = await TestTenant.CreateAsync(fixture);

        var response = await Sys(fixture.Api).PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { name = "Renamed", emailProvider = provider });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("COMMS_VALIDATION", body.GetProperty("type").GetString());
        Assert.Contains(problem, body.GetProperty("errors").GetProperty("emailProvider")[0].GetString(), StringComparison.Ordinal);
        var stored = await Sys(fixture.Api).GetFromJsonAsync<JsonElement>($"/sys/tenants/{tenant.Id}");
        Assert.NotEqual("Renamed", stored.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("emailProvider").ValueKind);
    }

    [Fact]
    public async Task A_configured_provider_is_stored_and_an_empty_one_returns_to_the_default()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var settings = fixture.Settings.ToDictionary(p => p.Key, p => p.Value);
        settings["Comms:Providers:SendGrid:ApiKey"] = "SG.configured";
        await using var api = new ServiceFactory<api::Program>(settings);

        var chosen = await Sys(api).PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { emailProvider = "sendgrid" });
        Assert.Equal(HttpStatusCode.OK, chosen.StatusCode);
        Assert.Equal("sendgrid", (await chosen.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("emailProvider").GetString());
        Assert.Equal("sendgrid", (await Sys(api).GetFromJsonAsync<JsonElement>($"/sys/tenants/{tenant.Id}")).GetProperty("emailProvider").GetString());
        await using (var db = fixture.CreateDbContext())
        {
            Assert.Equal("sendgrid", db.Tenants.Single(t => t.Id == tenant.Id).EmailProvider);
        }

        var reset = await Sys(api).PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { emailProvider = "" });
        Assert.Equal(JsonValueKind.Null, (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("emailProvider").ValueKind);
        var smtp = await Sys(fixture.Api).PatchAsJsonAsync($"/sys/tenants/{tenant.Id}", new { emailProvider = "smtp" });
        Assert.Equal("smtp", (await smtp.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("emailProvider").GetString());
    }

    [Fact]
    public async Task Email_has_a_provider_when_only_SendGrid_is_configured()
    {
        await using var dispatcher = fixture.StartDispatcher(new Dictionary<string, string?>
        {
            ["ConnectionStrings:mail"] = "",
            ["Comms:Providers:SendGrid:ApiKey"] = "SG.only-sendgrid",
            ["Comms:Providers:SendGrid:BaseUrl"] = "http://127.0.0.1:9",
        });

        Assert.True(dispatcher.Services.GetRequiredService<ChannelProviders>().Has(Channel.Email));
    }

    [Theory]
    [InlineData("sendgrid", "", "Comms:Channels:Email:Provider is 'sendgrid', which is not configured (set Comms:Providers:SendGrid:ApiKey)")]
    [InlineData("pigeon", "", "Comms:Channels:Email:Provider must be one of: smtp, sendgrid")]
    [InlineData(null, "0", "Comms:Dispatcher:Channels:email:BatchSize must be between 1 and 10000")]
    [InlineData(null, "10001", "Comms:Dispatcher:Channels:email:BatchSize must be between 1 and 10000")]
    [InlineData(null, "loops:0", "Comms:Dispatcher:Channels:email:Loops must be between 1 and 16")]
    public async Task A_provider_or_batch_size_that_cannot_work_stops_the_dispatcher_naming_the_setting(string? provider, string batchSize, string problem)
    {
        var error = await Record.ExceptionAsync(async () =>
        {
            var settings = new Dictionary<string, string?>();
            if (provider is not null)
            {
                settings["Comms:Channels:Email:Provider"] = provider;
            }

            if (batchSize.StartsWith("loops:", StringComparison.Ordinal))
            {
                settings["Comms:Dispatcher:Channels:email:Loops"] = batchSize["loops:".Length..];
            }
            else if (batchSize.Length > 0)
            {
                settings["Comms:Dispatcher:Channels:email:BatchSize"] = batchSize;
            }

            await using var bad = fixture.StartDispatcher(settings);
        });

        Assert.NotNull(error);
        Assert.Contains(problem, string.Join("\n", Flatten(error)), StringComparison.Ordinal);
    }

    private static IEnumerable<string> Flatten(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error.Message;
            if (error is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
