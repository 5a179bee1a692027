using Comms.Core.Messages;
using Comms.Core.Preferences;
using Comms.Core.Routing;
using Comms.Core.Tenancy;

namespace Comms.Core.Tests;

/// <summary>The SMS cost gate: the tenant's <c>smsCategories</c>, checked before the user's consent.</summary>
public sealed class SmsGateTests
{
    private static readonly DateTimeOffset Noon = new(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);

    private static DeliveryVerdict Decide(string channel, string category, bool smsAllowed, bool? pref = null, bool suppressed = false) =>
        DeliveryPolicy.Decide(new DeliveryContext(channel, Categories.BuiltIn[category], suppressed, pref, null, [], Noon, smsAllowed));

    [Fact]
    public void Sms_for_a_category_the_tenant_does_not_allow_is_blocked_with_COMMS_SMS_NOT_ALLOWED_even_with_consent()
    {
        var verdict = Decide(Channel.Sms, Categories.Booking, smsAllowed: false, pref: true);
        Assert.Equal((DecisionOutcome.Blocked, ReasonCodes.SmsNotAllowed), (verdict.Outcome, verdict.Reason));
        Assert.Equal("COMMS_SMS_NOT_ALLOWED", ReasonCodes.SmsNotAllowed);
        Assert.Contains("'booking'", verdict.Detail, StringComparison.Ordinal);

        var critical = Decide(Channel.Sms, Categories.Security, smsAllowed: false);
        Assert.Equal(ReasonCodes.SmsNotAllowed, critical.Reason);
    }

    [Fact]
    public void An_allowed_category_still_needs_the_users_consent_which_is_a_preference_block()
    {
        var verdict = Decide(Channel.Sms, Categories.Booking, smsAllowed: true);
        Assert.Equal((DecisionOutcome.Blocked, ReasonCodes.PrefBlocked), (verdict.Outcome, verdict.Reason));
        Assert.True(Decide(Channel.Sms, Categories.Booking, smsAllowed: true, pref: true).Sends);
        Assert.True(Decide(Channel.Sms, Categories.Security, smsAllowed: true).Sends);
    }

    [Fact]
    public void The_gate_concerns_sms_only_and_suppression_comes_first()
    {
        Assert.True(Decide(Channel.Email, Categories.Booking, smsAllowed: false).Sends);
        Assert.Equal(ReasonCodes.Suppressed, Decide(Channel.Sms, Categories.Booking, smsAllowed: false, suppressed: true).Reason);
    }

    [Fact]
    public void A_new_tenant_allows_only_security_on_sms()
    {
        var tenant = new Tenant { Id = "acme", Name = "Acme" };
        Assert.Equal(["security"], tenant.SmsCategories);
        Assert.True(tenant.AllowsOnSms(Categories.Security));
        Assert.False(tenant.AllowsOnSms(Categories.Booking));
    }

    [Fact]
    public void SmsCategories_are_validated_naming_the_field()
    {
        Assert.Empty(TenantService.Validate(new TenantRequest(null, null, null, null) { SmsCategories = ["security", "booking"] }, creating: false));
        Assert.Empty(TenantService.Validate(new TenantRequest(null, null, null, null) { SmsCategories = [] }, creating: false));

        var errors = TenantService.Validate(new TenantRequest(null, null, null, null) { SmsCategories = ["security", "Not A Category", null] }, creating: false);
        var problem = Assert.Single(Assert.Single(errors, e => e.Key == "smsCategories").Value);
        Assert.Contains("Item 1", problem, StringComparison.Ordinal);

        var many = TenantService.Validate(new TenantRequest(null, null, null, null) { SmsCategories = [.. Enumerable.Range(0, 101).Select(i => $"c{i}")] }, creating: false);
        Assert.Contains("smsCategories", many.Keys);
    }
}
