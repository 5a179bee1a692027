using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Comms.IntegrationTests.Infrastructure;

/// <summary>Reads what reached the mail catcher through MailDev's REST API.</summary>
public sealed class MailDevClient(string webUrl)
{
    private static readonly HttpClient Http = new();

    public async Task<IReadOnlyList<CaughtEmail>> AllAsync()
    {
        var emails = await Http.GetFromJsonAsync<List<CaughtEmail>>($"{webUrl}/api/email", JsonSerializerOptions.Web);
        return emails ?? [];
    }

    public async Task<IReadOnlyList<CaughtEmail>> ToAsync(string address) =>
        (await AllAsync()).Where(e => e.To.Any(t => string.Equals(t.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();

    public Task<CaughtEmail> WaitForOneToAsync(string address, TimeSpan? timeout = null) =>
        Poll.UntilAsync(async () => (await ToAsync(address)).FirstOrDefault(), $"an email to {address}", timeout);

    /// <summary>The message as it was received (MailDev's JSON leaves out headers its parser turns into objects, e.g. <c>List-Unsubscribe</c>).</summary>
    public Task<string> SourceAsync(string id) => Http.GetStringAsync($"{webUrl}/api/email/{id}/source");

    /// <summary>A header of a raw message, unfolded; null when the message has none by that name.</summary>
    public static string? RawHeader(string source, string name)
    {
        var head = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", 2)[0];
        var unfolded = System.Text.RegularExpressions.Regex.Replace(head, "\n[ \t]+", " ");
        return unfolded.Split('\n').Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && string.Equals(parts[0].Trim(), name, StringComparison.OrdinalIgnoreCase))
            .Select(parts => parts[1].Trim()).FirstOrDefault();
    }
}

public sealed record CaughtEmail(
    string Id,
    string Subject,
    string? Text,
    string? Html,
    IReadOnlyList<CaughtAddress> To,
    IReadOnlyList<CaughtAddress> From,
    Dictionary<string, JsonElement> Headers)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } v
            ? v.GetString()
            : null;
}

public sealed record CaughtAddress([property: JsonPropertyName("address")] string Address, [property: JsonPropertyName("name")] string? Name);
