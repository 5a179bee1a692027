using System.Text.Json;
using Comms.Core.Events;
using Comms.Core.Inbox;
using Comms.Core.Routing;
using Comms.Core.Tenancy;
using Microsoft.Extensions.Options;

namespace Comms.Api.Events;

/// <summary>
/// Runs the API's hot paths once before it reports healthy: reading and validating an event, the API-key
/// lookup, the tenant catalog (EF Core's model and its first queries) and the inbox reads — all for a tenant
/// that does not exist, so nothing is written.
/// </summary>
internal sealed class IntakeWarmUp(
    TenantCatalog catalog, ApiKeyStore keys, InboxService inbox, IOptions<IntakeOptions> options, TimeProvider time) : IWarmUpStep
{
    private const string NoTenant = "~warm-up";

    private const string SampleEvent = """
        {"name":"warm.up","recipients":["someone"],"causeRef":"warm-up","category":"account","payload":{"name":"Warm"}}
        """;

    public string Name => "intake";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var submission = JsonSerializer.Deserialize<EventSubmission>(SampleEvent, JsonSerializerOptions.Web);
        EventValidator.Validate(submission, options.Value, time.GetUtcNow());
        await keys.AuthenticateAsync("cms_warmup_" + Guid.NewGuid().ToString("N"), cancellationToken);
        await catalog.GetAsync(NoTenant, cancellationToken);
        await inbox.ListAsync(NoTenant, "someone", new InboxQuery(InboxFilter.Unread), cancellationToken);
        await inbox.ListAsync(NoTenant, "someone", new InboxQuery(Before: InboxPosition.Start, Group: InboxGrouping.Thread), cancellationToken);
        await inbox.CountAsync(NoTenant, "someone", cancellationToken);
    }
}
