using System.Text.Json;
using Comms.Core.Preferences;
using Comms.Core.Recipients;

namespace Comms.Core.Tests;

public sealed class RecipientValidatorTests
{
    private static RecipientRequest Request(
        string? externalId = "u1", string? email = null, string? phone = null, string? locale = null, string? timeZone = null,
        List<string>? roles = null, string? attributes = null, QuietHoursInput? quietHours = null, string? name = null) =>
        new(externalId, name, email, phone, locale, timeZone, roles,
            attributes is null ? null : JsonDocument.Parse(attributes).RootElement.Clone(), quietHours);

    private static Dictionary<string, string[]> Errors(RecipientRequest request, string? routeId = null) =>
        RecipientValidator.Validate(request, routeId, Categories.BuiltIn, out _);

    [Fact]
    public void A_full_recipient_is_normalised()
    {
        var request = Request(email: " Ada@Example.COM ", phone: "+49 (151) 123-45678", locale: "pt-br", timeZone: "Europe/Berlin",
            roles: ["admin", "member", "admin"], attributes: """{"plan":"pro","seats":3}""", name: "  Ada ",
            quietHours: new QuietHoursInput(false, "22:00", "06:30", [Categories.Booking]));

        var errors = RecipientValidator.Validate(request, null, Categories.BuiltIn, out var changes);

        Assert.Empty(errors);
        Assert.Equal("Ada@example.com", changes!.Email);
        Assert.Equal("+4915112345678", changes.Phone);
        Assert.Equal("pt-BR", changes.Locale);
        Assert.Equal("Ada", changes.Name);
        Assert.Equal(["admin", "member"], changes.Roles!);
        var recipient = new Recipient { TenantId = "t", ExternalId = "u1" };
        changes.ApplyTo(recipient);
        Assert.Equal((false, new TimeOnly(22, 0), new TimeOnly(6, 30)), (recipient.QuietHoursEnabled, recipient.QuietHoursStart, recipient.QuietHoursEnd));
        Assert.Equal([Categories.Booking], recipient.QuietHoursExceptions);
        Assert.Equal("""{"plan":"pro","seats":3}""", recipient.Attributes);
        Assert.Equal("Europe/Berlin", recipient.TimeZone);
    }

    [Fact]
    public void Fields_left_out_keep_their_value_and_empty_strings_clear()
    {
        var recipient = new Recipient { TenantId = "t", ExternalId = "u1", Email = "old@example.com", Phone = "+4915112345678", Roles = ["member"] };
        RecipientValidator.Validate(Request(phone: ""), null, Categories.BuiltIn, out var changes);

        changes!.ApplyTo(recipient);

        Assert.Equal("old@example.com", recipient.Email);
        Assert.Null(recipient.Phone);
        Assert.Equal(["member"], recipient.Roles);
        Assert.True(recipient.QuietHoursEnabled);
    }

    [Theory]
    [InlineData("email", "not-an-email")]
    [InlineData("email", "a@b")]
    [InlineData("email", "Ada <ada@example.com>")]
    [InlineData("email", "a@@example.com")]
    [InlineData("email", "a b@example.com")]
    [InlineData("phone", "015112345678")]
    [InlineData("phone", "+0151123")]
    [InlineData("phone", "+49 151 abc")]
    [InlineData("locale", "english please")]
    [InlineData("locale", "e")]
    [InlineData("timeZone", "Mars/Olympus")]
    [InlineData("timeZone", "W. Europe Standard Time")]
    [InlineData("timeZone", "CET-1")]
    public void A_bad_address_locale_or_zone_is_named(string field, string value)
    {
        var request = field switch
        {
            "email" => Request(email: value),
            "phone" => Request(phone: value),
            "locale" => Request(locale: value),
            _ => Request(timeZone: value),
        };

        Assert.Equal([field], Errors(request).Keys);
    }

    [Theory]
    [InlineData("""[1,2]""", "attributes")]
    [InlineData("""{"a":"x\u0000y"}""", "attributes.a")]
    [InlineData("""{"a":{"b":["\ud800"]}}""", "attributes.a.b[0]")]
    [InlineData("""{"n":1e400}""", "attributes.n")]
    public void Attributes_must_be_an_object_postgres_can_store(string attributes, string field)
    {
        Assert.Equal([field], Errors(Request(attributes: attributes)).Keys);
    }

    [Fact]
    public void Attributes_are_limited_to_16_KiB()
    {
        var big = JsonSerializer.Serialize(new { blob = new string('x', 16 * 1024) });

        Assert.Equal(["attributes"], Errors(Request(attributes: big)).Keys);
    }

    [Fact]
    public void Roles_are_slugs_named_by_index()
    {
        Assert.Equal(["roles[1]"], Errors(Request(roles: ["member", "Big Boss"])).Keys);
    }

    [Theory]
    [InlineData(null, null, "externalId")]
    [InlineData("a/b", null, "externalId")]
    [InlineData(" padded", null, "externalId")]
    [InlineData("u2", "u1", "externalId")]
    public void The_external_id_is_required_and_must_match_the_url(string? bodyId, string? routeId, string field)
    {
        Assert.Equal([field], Errors(Request(externalId: bodyId), routeId).Keys);
    }

    [Fact]
    public void Quiet_hours_exceptions_must_be_known_categories()
    {
        var errors = Errors(Request(quietHours: new QuietHoursInput(null, null, null, [Categories.Booking, "birthday"])));

        Assert.Equal(["quietHours.exceptions[1]"], errors.Keys);
    }

    [Fact]
    public void A_missing_body_is_named()
    {
        Assert.Equal(["body"], RecipientValidator.Validate(null, "u1", Categories.BuiltIn, out _).Keys);
    }
}
