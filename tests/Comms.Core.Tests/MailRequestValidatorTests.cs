using Comms.Core.ContextMail;

namespace Comms.Core.Tests;

public sealed class MailRequestValidatorTests
{
    private static readonly ContextMailOptions Limits = new();

    [Fact]
    public void Subject_and_body_limits_count_utf8_bytes_and_name_the_field()
    {
        // 128 two-byte characters are 256 bytes: allowed; one more is not.
        Assert.Empty(MailRequestValidator.Validate(new("bob", null, null, new string('é', 128), "hi"), Limits, false));
        var errors = MailRequestValidator.Validate(new("bob", null, null, new string('é', 129), new string('x', 4_097)), Limits, false);
        Assert.Equal(["body", "subject"], errors.Keys.Order());
        Assert.Contains("258 bytes", errors["subject"][0]);
    }

    [Fact]
    public void Limits_are_configurable() =>
        Assert.Contains("body", MailRequestValidator.Validate(new("bob", null, null, "s", "12345"), new ContextMailOptions { MaxBodyBytes = 4 }, false).Keys);

    [Theory]
    [InlineData(null, null, "to")]
    [InlineData("bob", "active", "to")]
    [InlineData(null, "everyone", "scope")]
    public void A_mail_goes_to_one_member_or_a_scope(string? to, string? scope, string field) =>
        Assert.Contains(field, MailRequestValidator.Validate(new(to, scope, null, "s", "b"), Limits, false).Keys);

    [Fact]
    public void Kind_system_cannot_be_sent() =>
        Assert.Contains("kind", MailRequestValidator.Validate(new("bob", null, "system", "s", "b"), Limits, false).Keys);
}
