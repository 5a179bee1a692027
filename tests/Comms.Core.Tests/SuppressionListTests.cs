using Comms.Core.Feedback;
using Comms.Core.Preferences;

namespace Comms.Core.Tests;

public sealed class SuppressionListTests
{
    [Theory]
    [InlineData(FeedbackService.BounceReason, SuppressionSources.Feedback)]
    [InlineData(FeedbackService.ComplaintReason, SuppressionSources.Feedback)]
    [InlineData("sms_stop", SuppressionSources.Sms)]
    [InlineData("twilio_21610", SuppressionSources.Sms)]
    [InlineData("manual import", SuppressionSources.Other)]
    public void The_source_follows_from_the_reason(string reason, string source) =>
        Assert.Equal(source, SuppressionSources.Of(reason));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("asked")]
    [InlineData("  123456789  ")]
    public void A_consent_note_under_ten_characters_is_refused(string? note) =>
        Assert.Contains("at least 10 characters", SuppressionList.ValidateNote(note), StringComparison.Ordinal);

    [Fact]
    public void A_consent_note_of_ten_characters_is_accepted() =>
        Assert.Null(SuppressionList.ValidateNote(" 1234567890 "));

    [Fact]
    public void A_lookup_hashes_the_address_as_stored_whatever_its_case_and_spaces() =>
        Assert.Equal(Suppression.Hash("bob@example.test"), Suppression.Hash("  BOB@Example.TEST "));
}
