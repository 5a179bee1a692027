using System.Text.Json;
using Comms.Core.Data;
using Comms.Core.Events;
using Comms.Core.Messages;
using Comms.Core.Queueing;
using Comms.Core.Recipients;
using Comms.Core.Templates;
using Microsoft.EntityFrameworkCore;

namespace Comms.Core.Routing;

/// <summary>
/// Turns a claimed event into messages: resolves its recipients, and for each recipient × channel
/// of the tenant's routing rule picks the template, checks the address and the payload, renders, and
/// records a decision. The chunk is written by <see cref="RoutingStore"/> in one transaction.
/// </summary>
public sealed class EventRouter(
    TenantCatalog catalog,
    IDbContextFactory<CommsDbContext> contexts,
    ContentRenderer renderer,
    RoutingStore store,
    WakeUps wakeUps,
    TimeProvider time)
{
    public async Task<IReadOnlyList<PlannedDecision>> RouteAsync(EventRecord ev, string owner, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(ev.TenantId, cancellationToken)
            ?? throw new RoutingException($"Tenant '{ev.TenantId}' does not exist.");
        var rule = snapshot.RuleFor(ev.Name)
            ?? throw new RoutingException($"No routing rule for event '{ev.Name}'.");

        var externalIds = (ev.Recipients ?? []).Distinct(StringComparer.Ordinal).ToList();
        var recipients = await LoadRecipientsAsync(ev.TenantId, externalIds, cancellationToken);
        using var payload = JsonDocument.Parse(ev.Payload);

        var decisions = new List<PlannedDecision>();
        foreach (var externalId in externalIds)
        {
            if (!recipients.TryGetValue(externalId, out var recipient))
            {
                decisions.Add(new PlannedDecision(null, externalId, "*", DecisionOutcome.Blocked, ReasonCodes.UnknownRecipient,
                    $"No recipient '{externalId}' exists in tenant '{ev.TenantId}'."));
                continue;
            }

            var chain = LocaleChain.Build(recipient.Locale, ev.Locale, ev.AcceptLanguage, snapshot.Tenant.DefaultLocale);
            foreach (var channel in rule.Channels)
            {
                decisions.Add(await PlanAsync(ev, rule, snapshot, recipient, channel, chain, payload.RootElement));
            }
        }

        var recorded = await store.WriteAsync(ev.Id, ev.TenantId, owner, ev.TraceParent, decisions, cursor: null, cancellationToken);
        foreach (var channel in recorded.Where(d => d.Message is not null).Select(d => d.Channel).Distinct())
        {
            await wakeUps.PublishAsync(WakeUps.MessagesFor(channel));
        }

        return recorded;
    }

    private async Task<PlannedDecision> PlanAsync(
        EventRecord ev, RoutingRule rule, TenantSnapshot snapshot, Recipient recipient, string channel,
        IReadOnlyList<string> localeChain, JsonElement payload)
    {
        var template = snapshot.FindTemplate(rule.TemplateName, channel, localeChain);
        if (template is null)
        {
            return Blocked(recipient, channel, ReasonCodes.NoTemplate,
                $"No published '{rule.TemplateName}' template for channel '{channel}' in {string.Join(", ", localeChain)}.");
        }

        var address = AddressFor(recipient, channel);
        if (address is null)
        {
            return Blocked(recipient, channel, ReasonCodes.NoAddress, $"The recipient has no {channel} address.");
        }

        var problems = await PayloadSchema.ValidateAsync(template.VariablesSchema, ev.Payload);
        var missing = problems.FirstOrDefault(p => p.Missing) ?? problems.FirstOrDefault();
        if (missing is not null)
        {
            return Blocked(recipient, channel, ReasonCodes.TemplateMissingVar, missing.Message);
        }

        var content = await renderer.RenderAsync(channel, template.Content, payload);
        var now = time.GetUtcNow();
        var dueAt = (ev.DueAt > now ? ev.DueAt : now) + TimeSpan.FromSeconds(rule.DelaySeconds);
        var message = new PlannedMessage(
            Guid.CreateVersion7(), recipient.Id, channel, ev.Category, template.Name, template.Version ?? 0,
            template.Locale, Variant: null, ev.CauseRef, address, dueAt, EscalationOf: null, content);
        return new PlannedDecision(recipient.Id, recipient.ExternalId, channel, DecisionOutcome.Queued, null, null, message);
    }

    private static string? AddressFor(Recipient recipient, string channel) => channel switch
    {
        Channel.Email => recipient.Email,
        Channel.Sms => recipient.Phone,
        Channel.InApp => recipient.ExternalId,
        _ => null,
    };

    private static PlannedDecision Blocked(Recipient recipient, string channel, string reason, string detail) =>
        new(recipient.Id, recipient.ExternalId, channel, DecisionOutcome.Blocked, reason, detail);

    private async Task<Dictionary<string, Recipient>> LoadRecipientsAsync(
        string tenantId, List<string> externalIds, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Recipients.AsNoTracking()
            .Where(r => r.TenantId == tenantId && externalIds.Contains(r.ExternalId))
            .ToDictionaryAsync(r => r.ExternalId, StringComparer.Ordinal, cancellationToken);
    }
}

/// <summary>An event that cannot be routed at all (no tenant, no rule).</summary>
public sealed class RoutingException(string message) : Exception(message);
