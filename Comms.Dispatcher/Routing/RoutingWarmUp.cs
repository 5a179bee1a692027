using System.Text.Json;
using Comms.Core.Data;
using Comms.Core.Inbox;
using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.Core.Templates;
using Comms.Realtime;

namespace Comms.Dispatcher.Routing;

/// <summary>
/// Runs the dispatcher's hot paths once before it reports healthy: the tenant catalog (EF Core's model and its
/// first queries, for a tenant that does not exist, and the version check of a cached one) and rendering — Liquid, Markdown and HTML sanitizing — of
/// each channel's content, then a whole routing pass that keeps nothing (<see cref="RoutingRehearsal"/>), so the
/// first event routes as fast as the tenth; a sent mark that changes nothing and a claim that claims nothing; then the live pushes of an in-app delivery, to a user no connection can be.
/// </summary>
internal sealed class RoutingWarmUp(
    TenantCatalog catalog, ContentRenderer renderer, RoutingRehearsal rehearsal, LivePushes pushes, MessageQueue queue,
    Npgsql.NpgsqlDataSource dataSource, TimeProvider time)
    : IWarmUpStep
{
    private static readonly TemplateContent Sample = new()
    {
        Subject = "Hello {{ name }}", Html = "<p>Hello <a href=\"https://example.test/{{ name }}\">{{ name }}</a></p>",
        Text = "Hello {{ name }}", Title = "Hello {{ name }}", Body = "**Hello** {{ name | upcase }}", Link = "/x/{{ name }}",
    };

    public string Name => "routing";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await catalog.GetAsync("~warm-up", cancellationToken);
        await catalog.WarmUpAsync(cancellationToken);
        using var payload = JsonDocument.Parse("""{"name":"Warm"}""");
        foreach (var channel in new[] { Channel.Email, Channel.InApp })
        {
            await renderer.RenderAsync(channel, Sample, payload.RootElement);
        }

        await rehearsal.RunAsync(cancellationToken);
        MessageQueue.WarmUp();
        await CommitRehearsal.RunAsync(dataSource, cancellationToken);
        // A sender's "sent" mark with its attempt row, for a claim no message has: every array parameter's converter (times,
        // nullable status codes) is resolved and the group commit's statement run, and nothing is changed.
        var now = time.GetUtcNow();
        await queue.MarkSentAsync(
            new Comms.Core.Queueing.LeaseClaim(Guid.CreateVersion7(), Guid.NewGuid()),
            new AttemptRecord("smtp", AttemptOutcome.Sent, now) { StatusCode = 250, Response = "warm-up", ProviderMessageId = "warm-up" },
            cancellationToken);
        // The senders' claim, for a channel no message has ("~warm-up"): the statement is planned and run on a pooled
        // connection (its server process reads the partitions' catalog entries once), and nothing is claimed.
        await queue.ClaimAsync(["~warm-up"], "warm-up", 1, TimeSpan.FromSeconds(1), cancellationToken);
        InboxCursor.TryDecode(InboxCursor.Encode(now, Guid.Empty), out InboxPosition _);
        await pushes.WarmUpAsync(now);
    }
}
