using Comms.Core.Routing;

namespace Comms.Core.Tests;

/// <summary>Which channels a message falls back to at send time: the rule's fallbacks after its own, never a primary channel.</summary>
public sealed class SendFallbackCandidatesTests
{
    private static RoutingRule Rule(string[] channels, string[] fallbacks) => new()
    {
        TenantId = "t", EventName = "e", TemplateName = "e", Category = "account", Channels = channels, FallbackChannels = fallbacks,
    };

    [Fact]
    public void A_primary_channel_falls_back_to_the_rules_fallbacks_in_order()
    {
        Assert.Equal(["sms", "in_app"], SendFallback.Candidates(Rule(["push"], ["sms", "in_app"]), "push"));
    }

    [Fact]
    public void A_fallback_channel_falls_back_to_the_ones_after_it()
    {
        Assert.Equal(["in_app"], SendFallback.Candidates(Rule(["push"], ["sms", "in_app"]), "sms"));
        Assert.Empty(SendFallback.Candidates(Rule(["push"], ["sms", "in_app"]), "in_app"));
    }

    [Fact]
    public void Primary_channels_were_planned_at_routing_and_are_never_candidates()
    {
        Assert.Equal(["sms"], SendFallback.Candidates(Rule(["push", "email"], ["email", "sms", "push"]), "push"));
    }

    [Fact]
    public void A_rule_without_fallbacks_has_none()
    {
        Assert.Empty(SendFallback.Candidates(Rule(["webhook"], []), "webhook"));
    }
}
