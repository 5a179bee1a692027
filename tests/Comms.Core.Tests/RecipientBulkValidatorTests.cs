using Comms.Core.Preferences;
using Comms.Core.Recipients;
using Comms.Core.Recipients.Bulk;

namespace Comms.Core.Tests;

public sealed class RecipientBulkValidatorTests
{
    private static BulkRecipientItem Item(string? externalId, string? email = null, List<DeviceRequest>? devices = null,
        List<PreferenceChange>? preferences = null) =>
        new(externalId, null, email, null, null, null, null, null, null, devices, preferences);

    [Fact]
    public void Errors_carry_the_item_index_and_valid_items_keep_theirs()
    {
        var result = RecipientBulkValidator.Validate([Item("a"), Item("b", email: "nope"), null, Item("c", email: "C@EXAMPLE.test")], Categories.BuiltIn);

        Assert.Equal([0, 3], result.Valid.Select(v => v.Index));
        Assert.Equal("C@example.test", result.Valid[1].Changes.Email);
        Assert.Equal(["recipients[1].email"], result.Invalid[1].Keys);
        Assert.Equal(["recipients[2]"], result.Invalid[2].Keys);
    }

    [Fact]
    public void A_repeated_external_id_or_device_makes_only_the_later_item_invalid()
    {
        var phone = new DeviceRequest("fcm", "token-1");
        var result = RecipientBulkValidator.Validate(
            [Item("a", devices: [phone]), Item("a"), Item("b", devices: [new DeviceRequest("fcm", " token-1 ")]), Item("c", devices: [new DeviceRequest("apns", "t"), new DeviceRequest("apns", "t")])],
            Categories.BuiltIn);

        Assert.Equal([0], result.Valid.Select(v => v.Index));
        Assert.Contains("recipients[0]", result.Invalid[1]["recipients[1].externalId"][0]);
        Assert.Contains("recipients[0].devices[0]", result.Invalid[2]["recipients[2].devices[0].token"][0]);
        Assert.Equal(["recipients[3].devices[1].token"], result.Invalid[3].Keys);
    }

    [Fact]
    public void Preferences_follow_the_preference_center_rules_under_the_item_path()
    {
        var result = RecipientBulkValidator.Validate(
        [
            Item("a", preferences: [new PreferenceChange("security", "email", false)]),
            Item("b", preferences: [new PreferenceChange("promotions", "email", true), new PreferenceChange("security", "email", true)]),
            Item("c", preferences: [new PreferenceChange("promotions", "fax", true)]),
        ], Categories.BuiltIn);

        Assert.Equal(["recipients[0].preferences[0]"], result.Invalid[0].Keys);
        Assert.Equal(["recipients[2].preferences[0].channel"], result.Invalid[2].Keys);
        // Turning a locked row on changes nothing, as in the preference center: only the promotions row is stored.
        Assert.Equal([("promotions", "email")], result.Valid.Single().Preferences.Select(p => (p.Category!, p.Channel!)));
    }
}
