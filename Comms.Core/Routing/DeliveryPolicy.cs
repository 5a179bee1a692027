using Comms.Core.Messages;
using Comms.Core.Preferences;

namespace Comms.Core.Routing;

/// <summary>What the policy needs to know about one recipient × channel.</summary>
public sealed record DeliveryContext(
    string Channel,
    CategoryInfo Category,
    bool Suppressed,
    bool? PreferenceOverride,
    QuietHoursWindow? QuietHours,
    IReadOnlyCollection<string> QuietHoursExceptions,
    DateTimeOffset DueAt,
    bool SmsAllowed = true);

/// <summary>The policy's verdict: send at <see cref="DueAt"/> (maybe deferred), or block with a reason.</summary>
public sealed record DeliveryVerdict(string Outcome, string? Reason, string? Detail, DateTimeOffset DueAt)
{
    public bool Sends => Outcome is DecisionOutcome.Queued or DecisionOutcome.Deferred;
}

/// <summary>
/// The ordered decisions of SPEC S2 that need no I/O: suppression → the tenant's SMS cost gate (categories
/// allowed on SMS) → user preference for (channel, category) → critical override → quiet hours. Dedupe and idempotency follow, in the router, against
/// Redis and the database.
/// </summary>
public static class DeliveryPolicy
{
    /// <summary>Channels that interrupt the user and so respect quiet hours (in-app and webhooks do not).</summary>
    public static readonly IReadOnlySet<string> InterruptiveChannels =
        new HashSet<string>(StringComparer.Ordinal) { Channel.Email, Channel.Push, Channel.Sms };

    public static DeliveryVerdict Decide(DeliveryContext context)
    {
        if (context.Suppressed)
        {
            return new(DecisionOutcome.Blocked, ReasonCodes.Suppressed,
                $"The {context.Channel} address is on the suppression list.", context.DueAt);
        }

        if (context.Channel == Channel.Sms && !context.SmsAllowed)
        {
            return new(DecisionOutcome.Blocked, ReasonCodes.SmsNotAllowed,
                $"The tenant does not allow '{context.Category.Name}' on SMS (its smsCategories).", context.DueAt);
        }

        if (!PreferenceResolver.IsOptedIn(context.Category, context.Channel, context.PreferenceOverride))
        {
            return new(DecisionOutcome.Blocked, ReasonCodes.PrefBlocked,
                context.PreferenceOverride == false
                    ? $"The user turned off '{context.Category.Name}' on {context.Channel}."
                    : $"'{context.Category.Name}' is not on by default on {context.Channel} and the user did not opt in.",
                context.DueAt);
        }

        if (!context.Category.Critical
            && context.QuietHours is { } quiet
            && InterruptiveChannels.Contains(context.Channel)
            && !context.QuietHoursExceptions.Contains(context.Category.Name)
            && quiet.DeferUntil(context.DueAt) is { } until)
        {
            return new(DecisionOutcome.Deferred, ReasonCodes.QuietHours,
                $"Inside the user's quiet hours ({quiet.Start:HH\\:mm}–{quiet.End:HH\\:mm} {quiet.Zone.Id}); deferred to {until:O}.", until);
        }

        return new(DecisionOutcome.Queued, null, null, context.DueAt);
    }
}
