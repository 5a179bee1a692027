using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Comms.Core.Operators;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Auth;

/// <summary>Operators of a test's own (a unique email each), their tokens, and RFC 6238 codes computed here.</summary>
internal static class OperatorTestSupport
{
    public const string Password = "Test-Operator-Passw0rd!";

    public static async Task<Operator> CreateAsync(CommsFixture fixture, string role, string? tenantId = null)
    {
        await using var scope = fixture.Api.Services.CreateAsyncScope();
        var email = $"op-{Guid.NewGuid():N}@example.test";
        return await OperatorSeed.EnsureAsync(scope.ServiceProvider.GetRequiredService<UserManager<Operator>>(),
            scope.ServiceProvider.GetRequiredService<OperatorsDbContext>(), email, "Test operator", Password, role, tenantId, TimeProvider.System);
    }

    public static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password = Password, string? totp = null) =>
        client.PostAsJsonAsync("/sys/auth/token", new { email, password, totp });

    public static async Task<string> TokenAsync(HttpClient client, string email, string? totp = null)
    {
        var response = await SignInAsync(client, email, totp: totp);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("accessToken").GetString()!;
    }

    public static HttpRequestMessage With(this HttpRequestMessage request, string bearer)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }

    public static async Task<(int Status, string? Type, JsonElement Body)> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        var type = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("type", out var t) ? t.GetString() : null;
        return ((int)response.StatusCode, type, body);
    }

    /// <summary>The RFC 6238 code (HMAC-SHA1, 30-second steps, 6 digits) of a base32 authenticator key at a time.</summary>
    public static string Totp(string base32Key, DateTimeOffset at)
    {
        var key = Base32(base32Key);
        var counter = BitConverter.GetBytes(at.ToUnixTimeSeconds() / 30);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(counter);
        }

        var hash = HMACSHA1.HashData(key, counter);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var value = 0;
        var output = new List<byte>();
        foreach (var c in text.TrimEnd('=').ToUpperInvariant().Where(c => c != ' '))
        {
            value = (value << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)(value >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. output];
    }
}
