using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Routing;

namespace Comms.Core.Tests;

public sealed class DeliveryPolicyTests
{
    private static readonly DateTimeOffset Night = new(2026, 6, 10, 23, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Noon = new(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly QuietHoursWindow Quiet = new(new TimeOnly(21, 0), new TimeOnly(8, 0), TimeZoneInfo.Utc);

    private static DeliveryVerdict Decide(string channel, string category, DateTimeOffset due, bool? pref = null,
        bool suppressed = false, string[]? exceptions = null, QuietHoursWindow? quiet = null) =>
        DeliveryPolicy.Decide(new DeliveryContext(channel, Categories.BuiltIn[category], suppressed, pref,
            quiet ?? Quiet, exceptions ?? [], due));

    [Theory]
    [InlineData(Channel.Email, Categories.Booking, true)]
    [InlineData(Channel.Email, Categories.Promotions, false)]
    [InlineData(Channel.Push, Categories.Booking, true)]
    [InlineData(Channel.Push, Categories.Messages, true)]
    [InlineData(Channel.Push, Categories.Reviews, true)]
    [InlineData(Channel.Push, Categories.Finance, false)]
    [InlineData(Channel.Sms, Categories.Security, true)]
    [InlineData(Channel.Sms, Categories.Booking, false)]
    [InlineData(Channel.InApp, Categories.Promotions, true)]
    [InlineData(Channel.InApp, Categories.Account, true)]
    public void The_default_opt_in_matrix_of_the_seeds(string channel, string category, bool sends)
    {
        Assert.Equal(sends, Decide(channel, category, Noon).Sends);
    }

    [Fact]
    public void A_user_override_wins_over_the_default()
    {
        var blocked = Decide(Channel.Email, Categories.Booking, Noon, pref: false);
        Assert.Equal((DecisionOutcome.Blocked, ReasonCodes.PrefBlocked), (blocked.Outcome, blocked.Reason));
        Assert.True(Decide(Channel.Sms, Categories.Booking, Noon, pref: true).Sends);
    }

    [Fact]
    public void Critical_categories_bypass_opt_outs_but_sms_still_needs_consent()
    {
        Assert.True(Decide(Channel.Email, Categories.Security, Noon, pref: false).Sends);
        Assert.True(Decide(Channel.Sms, Categories.Security, Noon, pref: false).Sends);
        Assert.False(Decide(Channel.Sms, Categories.Legal, Noon).Sends);
        Assert.True(Decide(Channel.Sms, Categories.Legal, Noon, pref: true).Sends);
        Assert.True(PreferenceResolver.IsLocked(Categories.BuiltIn[Categories.Legal], Channel.Email));
        Assert.False(PreferenceResolver.IsLocked(Categories.BuiltIn[Categories.Legal], Channel.Sms));
    }

    [Fact]
    public void Suppression_comes_first_even_for_critical_mail()
    {
        var verdict = Decide(Channel.Email, Categories.Security, Noon, suppressed: true);

        Assert.Equal(ReasonCodes.Suppressed, verdict.Reason);
    }

    [Fact]
    public void Non_critical_interruptive_messages_are_deferred_in_quiet_hours()
    {
        var verdict = Decide(Channel.Email, Categories.Booking, Night);

        Assert.Equal(DecisionOutcome.Deferred, verdict.Outcome);
        Assert.Equal(ReasonCodes.QuietHours, verdict.Reason);
        Assert.Equal(new DateTimeOffset(2026, 6, 11, 8, 1, 0, TimeSpan.Zero), verdict.DueAt);
    }

    [Fact]
    public void Critical_messages_in_app_items_and_excepted_categories_are_not_deferred()
    {
        Assert.Equal(Night, Decide(Channel.Email, Categories.Security, Night).DueAt);
        Assert.Equal(Night, Decide(Channel.InApp, Categories.Booking, Night).DueAt);
        Assert.Equal(Night, Decide(Channel.Email, Categories.Booking, Night, exceptions: [Categories.Booking]).DueAt);
        Assert.Equal(DecisionOutcome.Queued, DeliveryPolicy.Decide(new DeliveryContext(
            Channel.Email, Categories.BuiltIn[Categories.Booking], false, null, null, [], Night)).Outcome);
    }
}
