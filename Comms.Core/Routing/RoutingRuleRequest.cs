using System.Text.RegularExpressions;
using Comms.Core.Messages;
using Comms.Core.Templates;

namespace Comms.Core.Routing;

/// <summary>The body of <c>PUT /v1/routing-rules/{eventName}</c>.</summary>
public sealed record RoutingRuleRequest
{
    public string? TemplateName { get; init; }
    public string? Category { get; init; }
    public List<string>? Channels { get; init; }
    public List<string>? FallbackChannels { get; init; }
    public EscalationSpec? Escalation { get; init; }
    public int? DelaySeconds { get; init; }
    public DedupeSpec? Dedupe { get; init; }
    public DigestSpec? Digest { get; init; }

    /// <summary>Liquid over the payload: the thread of the in-app items (see <see cref="RoutingRule.ThreadKey"/>).</summary>
    public string? ThreadKey { get; init; }
}

/// <summary>"If the in-app item is still unread after <see cref="AfterMinutes"/>, send <see cref="Channel"/>."</summary>
public sealed record EscalationSpec(int? AfterMinutes, string? Channel);

/// <summary>A Liquid key over the payload (e.g. <c>BOOKING:{{ booking_id }}:{{ status }}</c>) and its window.</summary>
public sealed record DedupeSpec(string? Key, int? WindowSeconds);

/// <summary>Events with the same rendered key within the window become one summary per recipient.</summary>
public sealed record DigestSpec(string? Key, int? WindowSeconds, string? TemplateName);

public static partial class RoutingRuleValidator
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
    public static partial Regex NamePattern();

    public static Dictionary<string, string[]> Validate(string eventName, RoutingRuleRequest? request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];

        if (!NamePattern().IsMatch(eventName))
        {
            Add("eventName", "The event name must be 1-128 characters of letters, digits and . _ : -.");
        }

        if (request is null)
        {
            Add("body", "The request body must describe the rule.");
            return errors;
        }

        if (request.TemplateName is null || !NamePattern().IsMatch(request.TemplateName))
        {
            Add("templateName", "templateName is required: 1-128 characters of letters, digits and . _ : -.");
        }

        if (string.IsNullOrWhiteSpace(request.Category))
        {
            Add("category", "category is required.");
        }

        var channels = request.Channels ?? [];
        if (channels.Count == 0)
        {
            Add("channels", "Give at least one channel, in order of preference.");
        }

        foreach (var channel in channels.Concat(request.FallbackChannels ?? []).Where(c => !Channel.IsKnown(c)).Distinct())
        {
            Add("channels", $"Unknown channel '{channel}'; use {string.Join(", ", Channel.All)}.");
        }

        if (channels.Distinct().Count() != channels.Count)
        {
            Add("channels", "A channel may appear only once.");
        }

        if ((request.FallbackChannels ?? []).Any(channels.Contains))
        {
            Add("fallbackChannels", "A fallback channel must not also be a primary channel.");
        }

        if (request.Escalation is { } escalation)
        {
            if (escalation.AfterMinutes is not (>= 1 and <= 10_080))
            {
                Add("escalation.afterMinutes", "afterMinutes must be between 1 and 10080 (a week).");
            }

            if (!Channel.IsKnown(escalation.Channel) || escalation.Channel == Channel.InApp)
            {
                Add("escalation.channel", "The escalation channel must be email, push, sms or webhook.");
            }

            if (!channels.Contains(Channel.InApp))
            {
                Add("escalation", "Escalation follows an unread in-app item, so the rule needs the in_app channel.");
            }
        }

        if (request.DelaySeconds is < 0 or > 7 * 86_400)
        {
            Add("delaySeconds", "delaySeconds must be between 0 and 604800 (a week).");
        }

        if (request.Dedupe is { } dedupe)
        {
            CheckLiquid("dedupe.key", dedupe.Key, Add);
            if (dedupe.WindowSeconds is not null and not (>= 1 and <= 86_400))
            {
                Add("dedupe.windowSeconds", "The dedupe window must be between 1 and 86400 seconds.");
            }
        }

        if (request.Digest is { } digest)
        {
            CheckLiquid("digest.key", digest.Key, Add);
            if (digest.WindowSeconds is not (>= 1 and <= 7 * 86_400))
            {
                Add("digest.windowSeconds", "The digest window must be between 1 second and a week.");
            }

            if (digest.TemplateName is not null && !NamePattern().IsMatch(digest.TemplateName))
            {
                Add("digest.templateName", "The digest template name must be 1-128 characters of letters, digits and . _ : -.");
            }
        }

        if (request.ThreadKey is not null)
        {
            CheckLiquid("threadKey", request.ThreadKey, Add);
            if (!channels.Contains(Channel.InApp) && !(request.FallbackChannels ?? []).Contains(Channel.InApp))
            {
                Add("threadKey", "A thread key groups in-app items, so the rule needs the in_app channel (primary or fallback).");
            }
        }

        return errors;
    }

    private static void CheckLiquid(string field, string? template, Action<string, string> add)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            add(field, "The key is required: a Liquid template over the payload, e.g. BOOKING:{{ booking_id }}.");
        }
        else if (template.Length > 500)
        {
            add(field, "The key template must be at most 500 characters.");
        }
        else if (LiquidRenderer.SyntaxError(template) is { } error)
        {
            add(field, $"Liquid syntax error: {error}");
        }
    }

    /// <summary>Applies a validated request to a rule.</summary>
    public static void Apply(RoutingRuleRequest request, RoutingRule rule)
    {
        rule.TemplateName = request.TemplateName!;
        rule.Category = request.Category!;
        rule.Channels = [.. request.Channels!];
        rule.FallbackChannels = [.. request.FallbackChannels ?? []];
        rule.EscalationAfterMinutes = request.Escalation?.AfterMinutes;
        rule.EscalationChannel = request.Escalation?.Channel;
        rule.DelaySeconds = request.DelaySeconds ?? 0;
        rule.DedupeKey = request.Dedupe?.Key;
        rule.DedupeWindowSeconds = request.Dedupe?.WindowSeconds ?? 300;
        rule.DigestKey = request.Digest?.Key;
        rule.DigestWindowSeconds = request.Digest?.WindowSeconds;
        rule.DigestTemplateName = request.Digest?.TemplateName;
        rule.ThreadKey = request.ThreadKey;
    }
}
