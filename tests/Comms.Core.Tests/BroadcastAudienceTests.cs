using System.Text.Json;
using Comms.Core.Broadcasts;
using Comms.Core.Events;
using Npgsql;

namespace Comms.Core.Tests;

public sealed class BroadcastAudienceTests
{
    private static BroadcastAudience? Parse(string json, out Dictionary<string, string[]> errors)
    {
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        return BroadcastAudience.TryParse(document.RootElement, errors);
    }

    [Theory]
    [InlineData("""{"allTenants":true}""", """{"all":true}""")]
    [InlineData("""{"tenants":["a","b"]}""", """{"all":true}""")]
    [InlineData("""{"roles":["admin"]}""", """{"roles":["admin"]}""")]
    [InlineData("""{"filter":{"attributes":{"plan":"pro"}}}""", """{"attributes":{"plan":"pro"}}""")]
    [InlineData("""{"filter":{"attributes":{"plan":"pro","seats":3},"roles":["admin"]}}""", """{"roles":["admin"],"attributes":{"plan":"pro","seats":3}}""")]
    public void Each_audience_round_trips_and_becomes_a_selector_the_router_accepts(string json, string selector)
    {
        var audience = Parse(json, out var errors);
        Assert.Empty(errors);
        Assert.Equal(selector, audience!.SelectorJson());
        using var document = JsonDocument.Parse(audience.SelectorJson());
        Assert.True(AudienceSelector.TryParse(document.RootElement, out _, out var error), error);
        Assert.Equal(JsonDocument.Parse(json).RootElement.GetRawText().Replace(" ", "", StringComparison.Ordinal),
            BroadcastAudience.FromJson(audience.ToJson()).ToJson());
        Assert.Equal(audience.ToJson(), BroadcastAudience.FromJson(json).ToJson());
    }

    [Theory]
    [InlineData("""{}""", "audience")]
    [InlineData("""[]""", "audience")]
    [InlineData("""{"allTenants":false}""", "audience")]
    [InlineData("""{"allTenants":true,"roles":["a"]}""", "audience")]
    [InlineData("""{"tenants":["a","a"]}""", "audience.tenants")]
    [InlineData("""{"tenants":[1]}""", "audience.tenants")]
    [InlineData("""{"roles":[]}""", "audience.roles")]
    [InlineData("""{"filter":{}}""", "audience.filter")]
    [InlineData("""{"filter":{"attributes":{}}}""", "audience.filter.attributes")]
    [InlineData("""{"filter":{"attributes":{"a":[1]}}}""", "audience.filter.attributes")]
    [InlineData("""{"filter":{"attributes":{"a":1},"roles":[""]}}""", "audience.filter.roles")]
    public void A_malformed_audience_names_its_path(string json, string path)
    {
        Assert.Null(Parse(json, out var errors));
        Assert.Equal([path], errors.Keys);
    }

    [Fact]
    public void The_count_condition_binds_every_part_as_a_parameter()
    {
        var audience = Parse("""{"filter":{"attributes":{"plan":"pro"},"roles":["admin"]}}""", out _)!;
        using var command = new NpgsqlCommand();
        var where = audience.Where(command.Parameters);
        Assert.Equal("r.erased_at IS NULL AND r.roles && @audience_roles AND r.attributes @> @audience_attributes::jsonb", where);
        Assert.Equal(["audience_roles", "audience_attributes"], command.Parameters.Select(p => p.ParameterName));
    }
}
