using Comms.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace Comms.ReliabilityTests.Hostile;

/// <summary>
/// Hostile input over every operation of the OpenAPI document (see <see cref="HostileRequests"/>): malformed JSON,
/// wrong types, megabyte strings, 10,000-deep nesting, NUL and invalid UTF-8, huge and negative numbers, path
/// traversal, 10 MB bodies, wrong media types. Every answer is a 4xx problem document with a <c>COMMS_*</c> type —
/// never a 5xx, never a 2xx — and nothing is stored anywhere.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class HostileInputTests(ServicesFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_operation_refuses_hostile_input_with_4xx_problem_details_and_stores_nothing()
    {
        using var client = fixture.Client(null);
        var operations = await ApiDocument.OperationsAsync(client);
        Assert.Empty(OperationCatalog.Gaps(operations));
        var tenant = await SeededTenant.CreateAsync(fixture);
        var userToken = tenant.UserToken(SeededTenant.SharedExternalId);
        var before = await TenantRows.SnapshotAsync(fixture.DataSource, tenant.Id);
        var countsBefore = await TenantRows.CountAllAsync(fixture.DataSource);

        var probes = operations
            .SelectMany(o => HostileRequests.For(o, tenant, o.IsEndUser ? userToken : o.IsSys ? ServicesFixture.SysKey : tenant.FullKey))
            .ToList();
        var started = DateTime.UtcNow;
        var results = await ProbeRunner.RunAsync(client, probes, parallelism: 4);
        output.WriteLine($"{probes.Count} hostile requests over {operations.Count} operations in {(DateTime.UtcNow - started).TotalSeconds:0.0} s; " +
                         $"answers: {string.Join(", ", results.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} x{g.Count()}"))}");

        // One line per (operation, answer): the first case of each, with how many more answered the same.
        var failures = results.Where(r => !r.IsRefusal)
            .GroupBy(r => (r.Probe.Label[..r.Probe.Label.IndexOf(" [", StringComparison.Ordinal)], r.Status, r.ProblemType ?? r.MediaType))
            .Select(g => $"{g.First()}{(g.Count() > 1 ? $" (and {g.Count() - 1} more cases: {string.Join("; ", g.Skip(1).Take(8).Select(r => r.Probe.Label[(r.Probe.Label.IndexOf(" [", StringComparison.Ordinal) + 1)..]))})" : "")}")
            .ToList();
        var after = await TenantRows.SnapshotAsync(fixture.DataSource, tenant.Id);
        failures.AddRange(TenantRows.Differences(before, after).Select(d => $"stored: the tenant's rows changed: {d}"));
        failures.AddRange(TenantRows.Differences(countsBefore, await TenantRows.CountAllAsync(fixture.DataSource)).Select(d => $"stored: rows of {d}"));
        Assert.True(failures.Count == 0, $"{results.Count(r => !r.IsRefusal)} of {probes.Count} hostile requests were not refused with a COMMS_* 4xx problem, or something was stored:\n{string.Join('\n', failures)}");
    }

    [Fact]
    public async Task Unknown_routes_and_methods_are_problem_details_with_a_comms_type()
    {
        using var client = fixture.Client(null);
        var operations = await ApiDocument.OperationsAsync(client);
        var tenant = await SeededTenant.CreateAsync(fixture);
        var probes = new List<Probe>();
        foreach (var path in operations.GroupBy(o => o.Path))
        {
            var op = path.First();
            var bearer = op.IsEndUser ? tenant.UserToken(SeededTenant.SharedExternalId) : op.IsSys ? ServicesFixture.SysKey : tenant.FullKey;
            var url = OperationCatalog.Fill(tenant, op);
            // A method another operation serves at this very URL is mapped (GET /v1/recipients/bulk is the recipient "bulk").
            var mapped = operations.Where(o => o.Path == path.Key || o.Matches(url)).Select(o => o.Method);
            foreach (var method in new[] { "GET", "PUT", "POST", "DELETE", "PATCH" }.Except(mapped))
            {
                probes.Add(new Probe($"{method} {path.Key} (not mapped)", method, url, bearer, Probe.Utf8("{}")));
            }
        }

        foreach (var path in new[] { "/v1/nope", "/v1/recipients/x/nope", "/me/nope", "/sys/nope", "/nope", "/v1/events/not-a-guid" })
        {
            probes.Add(new Probe($"GET {path} (no route)", "GET", path, tenant.FullKey));
        }

        var results = await ProbeRunner.RunAsync(client, probes);
        var failures = results.Where(r => !r.IsRefusal).Select(r => r.ToString()).ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.All(results.Where(r => r.Probe.Label.EndsWith("(not mapped)", StringComparison.Ordinal)),
            r => Assert.Equal((405, "COMMS_METHOD_NOT_ALLOWED"), (r.Status, r.ProblemType)));
        Assert.All(results.Where(r => r.Probe.Label.EndsWith("(no route)", StringComparison.Ordinal)),
            r => Assert.Equal((404, "COMMS_NOT_FOUND"), (r.Status, r.ProblemType)));
    }
}
