using System.Collections.Concurrent;
using System.Text.Json;
using Comms.Core.Events;
using Comms.Core.Links;
using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Recipients;
using Comms.Core.Sms;
using Comms.Core.Templates;
using Comms.Core.Unsubscribe;

namespace Comms.Core.Routing;

/// <summary>Everything about one event that every recipient × channel decision of a chunk shares.</summary>
public sealed record RoutingInput(
    EventRecord Event,
    RoutingRule Rule,
    TenantSnapshot Snapshot,
    CategoryInfo Category,
    RecipientFacts Facts,
    JsonElement Payload,
    string? DedupeKey,
    string? DigestKey,
    DateTimeOffset Now,
    string? ThreadKey = null)
{
    /// <summary>Renders that are the same for every recipient of the event (shared by the chunks, which copy the input).</summary>
    public RenderMemo Renders { get; init; } = new();

    /// <summary>The locale chains of the event's recipients by their own locale (the rest of a chain is the event's and the tenant's).</summary>
    public ConcurrentDictionary<string, IReadOnlyList<string>> LocaleChains { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The renders of an event whose content reads nothing of the recipient: one per (template, variant, channel) instead of
/// one per recipient. A content is shareable when none of its Liquid sources mentions <c>recipient</c> or
/// <c>unsubscribe_url</c> (the only per-recipient built-ins) or indexes with <c>[</c> (a name built at render time) —
/// the payload, tenant and event are the event's own, so such a content renders the same for everyone.
/// </summary>
public sealed class RenderMemo
{
    private readonly ConcurrentDictionary<(Template Template, string? Variant, string Channel), Task<(RenderedContent, RenderProblem?)>> _renders = new();

    public static bool Shareable(TemplateContent content) =>
        ContentRenderer.Sources(content).All(s => !s.Source.Contains("recipient", StringComparison.Ordinal)
            && !s.Source.Contains("unsubscribe_url", StringComparison.Ordinal) && !s.Source.Contains('[', StringComparison.Ordinal));

    public Task<(RenderedContent Content, RenderProblem? Invalid)> GetOrAdd(
        (Template Template, string? Variant, string Channel) key, Func<Task<(RenderedContent, RenderProblem?)>> render) =>
        _renders.GetOrAdd(key, _ => render());
}

/// <summary>
/// Decides one recipient × channel, in the order of SPEC S2: template and address, suppression,
/// preference with the critical override, quiet hours (deferral), a provider for the channel, dedupe;
/// then the payload is checked
/// against the template's schema, an experiment arm is picked, and the content is rendered and checked
/// (links and channel limits, <see cref="RenderChecks"/>), and its links are tracked (<see cref="LinkTracking"/>). The idempotency key is enforced when the plan is written.
/// </summary>
public sealed class ChannelPlanner(ContentRenderer renderer, DedupeGuard dedupe, ChannelProviders providers, UnsubscribeLinks unsubscribe,
    LinkTracking tracking)
{
    public async Task<PlannedDecision> PlanAsync(
        RoutingInput input, Recipient recipient, string channel, DateTimeOffset dueAt,
        Guid? escalationOf = null, string causeRef = "")
    {
        var (ev, rule, snapshot) = (input.Event, input.Rule, input.Snapshot);
        var templateName = input.DigestKey is null ? rule.TemplateName : rule.DigestTemplateName ?? rule.TemplateName;
        var chain = input.LocaleChains.GetOrAdd(recipient.Locale ?? "", static (locale, a) => LocaleChain.Build(
            locale.Length == 0 ? null : locale, a.Event.Locale, a.Event.AcceptLanguage, a.Snapshot.Tenant.DefaultLocale), input);
        var template = snapshot.FindTemplate(templateName, channel, chain);
        if (template is null)
        {
            return Blocked(recipient, channel, ReasonCodes.NoTemplate,
                $"No published '{templateName}' template for {channel} in {string.Join(", ", chain)}.");
        }

        var address = input.Facts.AddressFor(recipient, channel);
        if (address is null)
        {
            return Blocked(recipient, channel, ReasonCodes.NoAddress, $"The recipient has no {channel} address.");
        }

        var verdict = DeliveryPolicy.Decide(new DeliveryContext(
            channel, input.Category, input.Facts.IsSuppressed(channel, address), input.Facts.OverrideFor(recipient.Id, channel, input.Category.Name),
            QuietHoursOf(recipient, snapshot), recipient.QuietHoursExceptions, dueAt,
            SmsAllowed: channel != Channel.Sms || snapshot.Tenant.AllowsOnSms(input.Category.Name)));
        if (!verdict.Sends)
        {
            return Blocked(recipient, channel, verdict.Reason!, verdict.Detail);
        }

        if (!providers.Has(channel))
        {
            return Blocked(recipient, channel, ReasonCodes.NoProvider, $"No {channel} provider is configured in this deployment.");
        }

        if (input.DedupeKey is { } dedupeKey
            && !await dedupe.TryClaimAsync(ev.TenantId, dedupeKey, recipient.Id, channel, ev.Id, TimeSpan.FromSeconds(rule.DedupeWindowSeconds)))
        {
            return Blocked(recipient, channel, ReasonCodes.Duplicate,
                $"Dedupe key '{dedupeKey}' was used within the last {rule.DedupeWindowSeconds} s.");
        }

        if (input.DigestKey is { } digestKey)
        {
            return new PlannedDecision(recipient.Id, recipient.ExternalId, channel, DecisionOutcome.Digested, null,
                $"Collected into digest '{digestKey}'.",
                Digest: new PlannedDigest(recipient.Id, channel, digestKey, TimeSpan.FromSeconds(rule.DigestWindowSeconds ?? 300)));
        }

        var problems = await PayloadSchema.ValidateAsync(template.VariablesSchema, ev.Payload);
        if ((problems.FirstOrDefault(p => p.Missing) ?? problems.FirstOrDefault()) is { } problem)
        {
            return Blocked(recipient, channel, ReasonCodes.TemplateMissingVar, problem.Message);
        }

        var variant = Experiments.Choose(template.Variants, $"{ev.TenantId}:{template.Name}", recipient.Id.ToString());
        var unsubscribeUrl = unsubscribe.For(ev.TenantId, recipient.Id, input.Category, channel);
        var source = variant?.Content ?? template.Content;
        var (content, invalid) = RenderMemo.Shareable(source)
            ? await input.Renders.GetOrAdd((template, variant?.Key, channel), () => RenderAsync(input, recipient, channel, template, source, unsubscribeUrl))
            : await RenderAsync(input, recipient, channel, template, source, unsubscribeUrl);
        if (invalid is not null)
        {
            return Blocked(recipient, channel, ReasonCodes.RenderInvalid, invalid.Describe());
        }

        // Links are tracked after the checks (which read the targets as the template rendered them).
        var id = Guid.CreateVersion7();
        content = tracking.Apply(content, new LinkTrackingContext(
            ev.TenantId, id, channel, input.Category.Name, template.Name, template.Marketing, snapshot.Tenant.LinkTracking));
        var message = new PlannedMessage(
            id, recipient.Id, channel, ev.Category, template.Name, template.Version ?? 0, template.Locale,
            variant?.Key, string.IsNullOrEmpty(causeRef) ? ev.CauseRef : causeRef, address, verdict.DueAt, escalationOf, content, unsubscribeUrl);
        return new PlannedDecision(recipient.Id, recipient.ExternalId, channel, verdict.Outcome, verdict.Reason, verdict.Detail, message, verdict.DueAt);
    }

    /// <summary>The content rendered for this recipient, as it is checked (thread key, SMS footer), and what the checks found.</summary>
    private async Task<(RenderedContent Content, RenderProblem? Invalid)> RenderAsync(
        RoutingInput input, Recipient recipient, string channel, Template template, TemplateContent source, string? unsubscribeUrl)
    {
        var content = await renderer.RenderAsync(channel, source, input.Payload,
            TemplateBuiltIns.For(recipient, input.Snapshot.Tenant, input.Event, unsubscribeUrl: unsubscribeUrl));
        if (channel == Channel.InApp && content.ThreadKey is null && input.ThreadKey is not null)
        {
            content = content with { ThreadKey = input.ThreadKey };
        }

        if (channel == Channel.Sms)
        {
            content = SmsFooter.Apply(content, template.Locale);
        }

        return (content, RenderChecks.Check(channel, content, input.Snapshot.Links));
    }

    public static QuietHoursWindow? QuietHoursOf(Recipient recipient, TenantSnapshot snapshot) =>
        recipient.QuietHoursEnabled
            ? new QuietHoursWindow(recipient.QuietHoursStart, recipient.QuietHoursEnd,
                TimeZones.FindOrUtc(recipient.TimeZone ?? snapshot.Tenant.DefaultTimeZone))
            : null;

    private static PlannedDecision Blocked(Recipient recipient, string channel, string reason, string? detail) =>
        new(recipient.Id, recipient.ExternalId, channel, DecisionOutcome.Blocked, reason, detail);
}
