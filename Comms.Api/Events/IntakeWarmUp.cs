using System.Runtime.CompilerServices;
using System.Text.Json;
using Comms.Core.Diagnostics;
using Comms.Core.Data;
using Comms.Core.Events;
using Comms.Core.Inbox;
using Comms.Core.Queueing;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Comms.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Comms.Api.Events;

/// <summary>
/// Runs the API's hot paths once before it reports healthy: reading and validating an event and its payload
/// against a JSON Schema, the API-key lookup, the tenant catalog (EF Core's model and its queries, for a tenant
/// that does not exist and, read only, for one that does, and the version check of a cached one), admitting an event
/// against that real tenant's configuration in memory, the 202's JSON body, the group-commit write of an event (rolled
/// back) and the inbox reads. Nothing is written.
/// </summary>
internal sealed class IntakeWarmUp(
    TenantCatalog catalog, ApiKeyStore keys, InboxService inbox, EventIntake intake, IDbContextFactory<CommsDbContext> contexts,
    IOptions<IntakeOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, Npgsql.NpgsqlDataSource dataSource,
    TimeProvider time) : IWarmUpStep
{
    private const string NoTenant = "~warm-up";

    public const string SampleEvent = """
        {"name":"warm.up","recipients":["someone"],"causeRef":"warm-up","category":"account","payload":{"name":"Warm"}}
        """;

    private const string SampleSchema = """
        {"type":"object","required":["name"],"properties":{"name":{"type":"string","minLength":1}}}
        """;

    public string Name => "intake";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var submission = JsonSerializer.Deserialize<EventSubmission>(SampleEvent, JsonSerializerOptions.Web);
        EventValidator.Validate(submission, options.Value, time.GetUtcNow());
        await PayloadSchema.ValidateAsync(SampleSchema, """{"name":"Warm"}""");
        await PayloadSchema.ValidateAsync(SampleSchema, """{"nam":1}""");
        await keys.AuthenticateAsync("cms_warmup_" + Guid.NewGuid().ToString("N"), cancellationToken);
        await keys.WarmUpAsync(cancellationToken);
        await catalog.GetAsync(NoTenant, cancellationToken);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (await db.Tenants.AsNoTracking().OrderBy(t => t.Id).Select(t => t.Id).FirstOrDefaultAsync(cancellationToken) is { } tenant)
            {
                if (await catalog.GetAsync(tenant, cancellationToken) is { } snapshot && snapshot.Rules.Values.FirstOrDefault() is { } rule)
                {
                    // What a real event of that tenant goes through once it is authenticated (in memory: nothing is stored).
                    await EventAdmission.AdmitAsync(
                        snapshot, submission! with { Name = rule.EventName, Category = rule.Category }, "en-US", null, time.GetUtcNow());
                }
            }
        }

        await catalog.WarmUpAsync(cancellationToken);
        RuntimeHelpers.RunClassConstructor(typeof(CommsTelemetry).TypeHandle); // its meters and instruments, made on first use
        JsonSerializer.SerializeToUtf8Bytes(new EventAccepted(Guid.Empty, EventStatus.Pending), json.Value.SerializerOptions);

        var now = time.GetUtcNow();
        await intake.WarmUpAsync(
        [
            new EventRecord
            {
                Id = Guid.CreateVersion7(), TenantId = NoTenant, Name = "warm.up", Category = "account", CauseRef = "warm-up",
                Payload = """{"name":"Warm"}""", Recipients = ["someone"], DueAt = now, CreatedAt = now,
            },
        ], cancellationToken);
        await CommitRehearsal.RunAsync(dataSource, cancellationToken);
        RuntimeHelpers.RunClassConstructor(typeof(WakeUps).TypeHandle); // the wake-up published after the intake's commit
        await inbox.ListAsync(NoTenant, "someone", new InboxQuery(InboxFilter.Unread), cancellationToken);
        await inbox.ListAsync(NoTenant, "someone", new InboxQuery(Before: InboxPosition.Start, Group: InboxGrouping.Thread), cancellationToken);
        await inbox.CountAsync(NoTenant, "someone", cancellationToken);
    }
}
