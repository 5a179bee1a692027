using System.Net.Http.Json;
using System.Text.Json;

namespace Comms.ReliabilityTests.Infrastructure;

/// <summary>A parameter of an operation, as the OpenAPI document describes it.</summary>
public sealed record ApiParameter(string Name, string In, string? Type, string? Format)
{
    public bool IsInteger => Type == "integer";
}

/// <summary>One operation of the API's OpenAPI document: <c>GET /v1/recipients/{externalId}</c>.</summary>
public sealed record ApiOperation(string Method, string Path, IReadOnlyList<ApiParameter> Parameters, bool TakesBody)
{
    public string Key => $"{Method} {Path}";

    public IEnumerable<ApiParameter> PathParameters => Parameters.Where(p => p.In == "path");

    public IEnumerable<ApiParameter> QueryParameters => Parameters.Where(p => p.In == "query");

    public bool IsEndUser => Path.StartsWith("/me/", StringComparison.Ordinal);

    public bool IsSys => Path.StartsWith("/sys/", StringComparison.Ordinal);

    /// <summary>
    /// True when a literal path (<c>/v1/recipients/bulk</c>) also fits this operation's template
    /// (<c>/v1/recipients/{externalId}</c>): a free-text path parameter takes any segment, a uuid or integer one only its kind.
    /// </summary>
    public bool Matches(string literalPath)
    {
        var template = Path.Split('/');
        var literal = literalPath.Split('?')[0].Split('/');
        if (template.Length != literal.Length)
        {
            return false;
        }

        for (var i = 0; i < template.Length; i++)
        {
            if (!template[i].StartsWith('{'))
            {
                if (template[i] != literal[i])
                {
                    return false;
                }

                continue;
            }

            var parameter = PathParameters.FirstOrDefault(p => "{" + p.Name + "}" == template[i]);
            if ((parameter?.Format == "uuid" && !Guid.TryParse(literal[i], out _)) || (parameter?.IsInteger == true && !long.TryParse(literal[i], out _)))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => Key;
}

/// <summary>Reads <c>GET /openapi/v1.json</c> into the list of operations the suites walk through.</summary>
public static class ApiDocument
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    public static async Task<IReadOnlyList<ApiOperation>> OperationsAsync(HttpClient client)
    {
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var operations = new List<ApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject().Where(m => Methods.Contains(m.Name)))
            {
                var parameters = new List<ApiParameter>();
                if (method.Value.TryGetProperty("parameters", out var list))
                {
                    foreach (var parameter in list.EnumerateArray())
                    {
                        var schema = parameter.TryGetProperty("schema", out var s) ? s : default;
                        parameters.Add(new ApiParameter(
                            parameter.GetProperty("name").GetString()!, parameter.GetProperty("in").GetString()!, TypeOf(schema),
                            schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("format", out var format) ? format.GetString() : null));
                    }
                }

                operations.Add(new ApiOperation(method.Name.ToUpperInvariant(), path.Name, parameters, method.Value.TryGetProperty("requestBody", out _)));
            }
        }

        return operations;
    }

    /// <summary>"integer" when a schema allows an integer (ASP.NET Core writes <c>["integer", "string"]</c> for numbers read from strings).</summary>
    private static string? TypeOf(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out var type))
        {
            return null;
        }

        var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).ToList() : [type.GetString()];
        return types.Contains("integer") ? "integer" : types.Contains("number") ? "number" : types.FirstOrDefault(t => t != "null");
    }
}
