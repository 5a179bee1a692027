using System.Text.Json;
using Comms.Core.Templates;

namespace Comms.Core.Tests;

/// <summary>Variables schemas whose keywords NJsonSchema would silently skip are refused, naming the keyword.</summary>
public sealed class SchemaShapeTests
{
    [Theory]
    [InlineData("""{"type":"object","required":[42]}""", "#/required")]
    [InlineData("""{"type":7}""", "#/type")]
    [InlineData("""{"type":"text"}""", "#/type")]
    [InlineData("""{"type":"object","properties":{"name":{"type":"string","maxLength":-1}}}""", "#/properties/name/maxLength")]
    [InlineData("""{"properties":[]}""", "#/properties")]
    [InlineData("""{"properties":{"n":"string"}}""", "#/properties/n")]
    [InlineData("""{"items":{"minimum":"0"}}""", "#/items/minimum")]
    [InlineData("""{"anyOf":[]}""", "#/anyOf")]
    [InlineData("""{"allOf":[{"required":"name"}]}""", "#/allOf/0/required")]
    public async Task Malformed_keywords_are_refused_at_their_pointer(string schema, string pointer)
    {
        var problem = SchemaShape.Check(JsonDocument.Parse(schema).RootElement);

        Assert.NotNull(problem);
        Assert.StartsWith($"at {pointer}:", problem);
        Assert.NotNull(await PayloadSchema.CheckSchemaAsync(schema));
    }

    [Theory]
    [InlineData("""{"type":"object","required":["name"],"properties":{"name":{"type":"string","maxLength":80},"n":{"type":["integer","null"],"minimum":0}}}""")]
    [InlineData("""{"type":"object","additionalProperties":false,"properties":{"tags":{"type":"array","items":{"type":"string"}}}}""")]
    [InlineData("""{"$defs":{"id":{"type":"string"}},"properties":{"a":{"$ref":"#/$defs/id"}}}""")]
    public async Task Well_formed_schemas_pass(string schema)
    {
        Assert.Null(SchemaShape.Check(JsonDocument.Parse(schema).RootElement));
        Assert.Null(await PayloadSchema.CheckSchemaAsync(schema));
    }
}
