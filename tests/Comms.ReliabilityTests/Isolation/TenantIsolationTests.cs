using System.Text;
using Comms.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace Comms.ReliabilityTests.Isolation;

/// <summary>
/// The tenant-isolation matrix, generated from the OpenAPI document: every operation, called on tenant A's
/// resources with each of tenant B's API keys (every role) and with B's user tokens, is never a 2xx, never
/// answers a byte of A's data, and leaves A's rows exactly as they were. <c>/me</c> is called as B's user whose
/// external id also exists in A: B's user sees B's data only.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class TenantIsolationTests(ServicesFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Another_tenants_keys_and_user_tokens_never_reach_a_tenants_data()
    {
        using var client = fixture.Client(null);
        var operations = await ApiDocument.OperationsAsync(client);
        Assert.True(operations.Count > 50, $"only {operations.Count} operations in the document");
        Assert.Empty(OperationCatalog.Gaps(operations));

        var seeded = await Task.WhenAll(SeededTenant.CreateAsync(fixture), SeededTenant.CreateAsync(fixture));
        var (a, b) = (seeded[0], seeded[1]);
        var before = await TenantRows.SnapshotAsync(fixture.DataSource, a.Id);
        output.WriteLine($"tenant A: {a.Markers.Count} identifying values (markers and row ids); rows: {string.Join(", ", before.Select(p => $"{p.Key} {p.Value.Split(',')[0]}"))}");
        var failures = new List<string>();

        // B's credentials: a key of every role, its user with the external id A has too, and its token for A's own user's id.
        var credentials = b.Keys.Select(k => new Credential($"B key '{k.Key}'", k.Value, IsUser: false, IsFullKey: k.Key == "all"))
            .Append(new Credential("B user token (shared external id)", b.UserToken(SeededTenant.SharedExternalId), IsUser: true))
            .Append(new Credential("B user token (A's external id)", b.UserToken(a.ExternalId), IsUser: true))
            .ToList();

        // Lists and /me first, while B has nothing named like A's data; then B's own creations under A's names — the routing
        // rules last, since a rule must name a template that exists: run with the template's creation, it could come first
        // and be refused (it did once in CI).
        var creations = operations.Where(o => OperationCatalog.For(o).Tenancy == Tenancy.CreatesInCaller).ToList();
        static bool NamesATemplate(ApiOperation o) => o.Path.StartsWith("/v1/routing-rules", StringComparison.Ordinal);
        foreach (var phase in new[]
        {
            operations.Where(o => OperationCatalog.For(o).Tenancy != Tenancy.CreatesInCaller), creations.Where(o => !NamesATemplate(o)),
            creations.Where(NamesATemplate),
        })
        {
            var calls = phase.SelectMany(o => credentials.Select(c => (Operation: o, Credential: c))).ToList();
            var results = await ProbeRunner.RunAsync(client, calls.Select(c => Probe(a, c.Operation, c.Credential.Label, c.Credential.Bearer)).ToList());
            foreach (var ((operation, credential), result) in calls.Zip(results))
            {
                failures.AddRange(Check(a, operation, credential.IsUser, result));
            }

            // The example bodies are valid: one of B's keys (they race each other) creates B's own resource under A's name.
            failures.AddRange(calls.Zip(results)
                .Where(c => OperationCatalog.For(c.First.Operation).Tenancy == Tenancy.CreatesInCaller)
                .GroupBy(c => c.First.Operation.Key)
                .Where(g => !g.Any(c => c.Second.IsSuccess))
                .Select(g => $"example body refused in B's own tenant (fix the example): {g.First(c => c.First.Credential.IsFullKey).Second}"));

            output.WriteLine($"{calls.Count} requests, {results.Count(r => r.IsSuccess)} answered 2xx (B's own data), failures so far: {failures.Count}");
        }

        // B's user, whose external id A has too, sees B's notification (and, by the checks above, nothing of A's).
        using (var bUser = fixture.Client(b.UserToken(SeededTenant.SharedExternalId)))
        {
            var own = await bUser.GetStringAsync("/me/notifications");
            Assert.Contains(b.SharedInboxItemId.ToString(), own, StringComparison.OrdinalIgnoreCase);
        }

        var after = await TenantRows.SnapshotAsync(fixture.DataSource, a.Id);
        failures.AddRange(TenantRows.Differences(before, after).Select(d => $"tenant A's rows changed: {d}"));
        failures.AddRange(await OwnerControlAsync(client, a, operations));
        Assert.True(failures.Count == 0, $"{failures.Count} isolation failures:\n{string.Join('\n', failures.Take(80))}");
    }

    /// <summary>
    /// The positive control, after A's rows were compared: A's own credentials get a 2xx from the operations B was
    /// refused (so the refusals were about tenancy, not about a wrong path or body). Deletes go last.
    /// </summary>
    private static async Task<List<string>> OwnerControlAsync(HttpClient client, SeededTenant a, IReadOnlyList<ApiOperation> operations)
    {
        var failures = new List<string>();
        var denied = operations.Where(o => OperationCatalog.For(o).Tenancy == Tenancy.Denied)
            .OrderBy(o => o.Method == "DELETE" ? 2 : o.Method == "GET" ? 0 : 1)
            .ThenBy(o => o.Path.Contains("/api-keys", StringComparison.Ordinal) || o.Path.Contains("/signing-keys", StringComparison.Ordinal) ? 1 : 0)
            .ThenByDescending(o => o.Path.Length);
        foreach (var operation in denied)
        {
            if (operation.Path.Contains("/draft", StringComparison.Ordinal) || operation.Path.EndsWith("/publish", StringComparison.Ordinal))
            {
                // Publishing consumes the draft: each draft operation gets one.
                var draft = operations.Single(o => o.Key == "PUT /v1/templates/{name}/{channel}/{locale}/draft");
                Assert.True((await ProbeRunner.SendAsync(client, Probe(a, draft, "A itself", a.FullKey))).IsSuccess);
            }

            var bearer = operation.IsEndUser ? a.UserToken(SeededTenant.SharedExternalId) : a.FullKey;
            var result = await ProbeRunner.SendAsync(client, Probe(a, operation, "A itself", bearer));
            if (!result.IsSuccess && OperationCatalog.For(operation).OwnerMayFail is null)
            {
                failures.Add($"positive control: tenant A's own call was refused, so B's refusal proves nothing: {result}");
            }
        }

        return failures;
    }

    private static Probe Probe(SeededTenant a, ApiOperation operation, string label, string bearer)
    {
        var body = OperationCatalog.For(operation).Body?.Invoke(a).ToJsonString();
        return new Probe($"{operation.Key} as {label}", operation.Method, OperationCatalog.Fill(a, operation), bearer,
            body is null ? null : Encoding.UTF8.GetBytes(body));
    }

    private static IEnumerable<string> Check(SeededTenant a, ApiOperation operation, bool isUser, ProbeResult result)
    {
        var tenancy = OperationCatalog.For(operation).Tenancy;
        var wrongCredential = isUser != operation.IsEndUser;
        if (result.Status >= 500)
        {
            yield return $"server error: {result}";
        }
        else if (result.IsSuccess && (tenancy is Tenancy.Denied or Tenancy.NotTenantScoped || wrongCredential))
        {
            yield return $"2xx on tenant A's resource: {result}";
        }

        var request = result.Probe.RequestText;
        var answer = result.Body + "\n" + result.Headers;
        foreach (var marker in a.Markers)
        {
            if (answer.Contains(marker, StringComparison.OrdinalIgnoreCase) && !request.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                yield return $"tenant A's data '{marker}' in the answer: {result}";
            }
        }
    }

    private sealed record Credential(string Label, string Bearer, bool IsUser, bool IsFullKey = false);
}
