using System.Globalization;
using Comms.Core.Messages;
using Comms.Core.Routing;
using Comms.Dispatcher.Sending;
using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Throttling;

/// <summary>What the tenant × channel bucket said about one claimed message: go after <see cref="Wait"/>, or be held.</summary>
public readonly record struct Admission(ClaimedMessage Message, TimeSpan Wait, SendOutcome.Held? Held);

/// <summary>
/// The per tenant × channel limits (<see cref="SendLimitOptions"/>, by the tenant's plan), one shared bucket per
/// tenant and channel. A claimed batch asks once per tenant: the messages whose slots come within
/// <see cref="ThrottlingOptions.MaxWait"/> are sent at their slots; the rest are held — deferred, not failed, their
/// attempt given back — with <c>COMMS_RATE_LIMITED</c> as their <c>lastError</c>, each due at the slot it would have had.
/// </summary>
public sealed class TenantChannelLimits(
    TokenBuckets buckets, TenantCatalog catalog, IOptionsMonitor<SendLimitOptions> limits, IOptions<ThrottlingOptions> options, TimeProvider time)
{
    public async Task<IReadOnlyList<Admission>> AdmitAsync(IReadOnlyList<ClaimedMessage> messages, CancellationToken cancellationToken)
    {
        var admitted = new List<Admission>(messages.Count);
        foreach (var tenant in messages.GroupBy(m => (m.TenantId, m.Channel)))
        {
            var list = tenant.ToList();
            var plan = (await catalog.GetAsync(tenant.Key.TenantId, cancellationToken))?.Tenant.Plan;
            if (limits.CurrentValue.PerSecond(plan, tenant.Key.Channel) is not { } rate)
            {
                admitted.AddRange(list.Select(m => new Admission(m, TimeSpan.Zero, null)));
                continue;
            }

            var grant = await buckets.ReserveAsync($"tenant:{tenant.Key.TenantId}:{tenant.Key.Channel}", rate, list.Count, options.Value.MaxWait, cancellationToken);
            var now = time.GetUtcNow();
            for (var i = 0; i < list.Count; i++)
            {
                if (i < grant.Granted)
                {
                    admitted.Add(new Admission(list[i], grant.WaitOf(i), null));
                    continue;
                }

                // Due at the slot it would have had after the granted ones, so the held come back in order, at the rate.
                var until = now + grant.NextFree + (grant.Interval * (i - grant.Granted));
                var reason = $"{ReasonCodes.RateLimited}: tenant '{tenant.Key.TenantId}' may send {rate.ToString(CultureInfo.InvariantCulture)} {tenant.Key.Channel} messages a second"
                             + (plan is null ? "" : $" (plan '{plan}')") + $"; deferred until {until:O}.";
                admitted.Add(new Admission(list[i], TimeSpan.Zero, new SendOutcome.Held(until, reason) { RecordReason = true }));
            }
        }

        return admitted;
    }
}
