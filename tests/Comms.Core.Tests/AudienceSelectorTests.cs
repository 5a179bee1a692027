using System.Text.Json;
using Comms.Core.Events;

namespace Comms.Core.Tests;

public sealed class AudienceSelectorTests
{
    private static bool Parse(string json, out AudienceSelector? selector, out string? error) =>
        AudienceSelector.TryParse(JsonDocument.Parse(json).RootElement, out selector, out error);

    [Fact]
    public void All_users()
    {
        Assert.True(Parse("""{"all":true}""", out var selector, out _));
        Assert.True(selector!.All);
    }

    [Fact]
    public void Roles_and_attributes_together()
    {
        Assert.True(Parse("""{"roles":["admin","owner"],"attributes":{"plan":"pro"}}""", out var selector, out _));
        Assert.Equal(["admin", "owner"], selector!.Roles);
        Assert.Equal("""{"plan":"pro"}""", selector.AttributesJson);
    }

    [Theory]
    [InlineData("""{"all":false}""", "selects nobody")]
    [InlineData("""{"all":true,"roles":["admin"]}""", "cannot be combined")]
    [InlineData("""{"roles":[]}""", "at least one role")]
    [InlineData("""{"roles":[1]}""", "list of role names")]
    [InlineData("""{"attributes":{}}""", "at least one attribute")]
    [InlineData("""{"everyone":true}""", "Unknown or malformed audience field 'everyone'")]
    [InlineData("""["admin"]""", "must be an object")]
    public void Malformed_audiences_say_why(string json, string expected)
    {
        Assert.False(Parse(json, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
