using Comms.Core.Messages;
using Comms.Core.Preferences;

namespace Comms.Core.Tests;

public sealed class PreferenceCenterTests
{
    private static readonly QuietHoursView Quiet = new(true, "21:00", "08:00", []);

    private static readonly Dictionary<string, CategoryInfo> WithCustom = new(Categories.BuiltIn, StringComparer.Ordinal)
    {
        ["outage"] = Categories.FromTenantCategory(new Category { TenantId = "t", Name = "outage", Critical = true, DefaultChannels = [Channel.Email] }),
        ["digest"] = Categories.FromTenantCategory(new Category { TenantId = "t", Name = "digest", DefaultChannels = [] }),
    };

    private static PreferenceCell Cell(PreferenceMatrix matrix, string category, string channel) =>
        matrix.Categories.Single(r => r.Category == category).Channels.Single(c => c.Channel == channel);

    private static Preference Override(string category, string channel, bool enabled) =>
        new() { TenantId = "t", Category = category, Channel = channel, Enabled = enabled };

    [Theory]
    [InlineData(Categories.Booking, Channel.Email, true)]
    [InlineData(Categories.Promotions, Channel.Email, false)]
    [InlineData(Categories.Account, Channel.Email, true)]
    [InlineData(Categories.Booking, Channel.Push, true)]
    [InlineData(Categories.Messages, Channel.Push, true)]
    [InlineData(Categories.Reviews, Channel.Push, true)]
    [InlineData(Categories.Finance, Channel.Push, false)]
    [InlineData(Categories.Security, Channel.Sms, true)]
    [InlineData(Categories.Booking, Channel.Sms, false)]
    [InlineData(Categories.Promotions, Channel.InApp, true)]
    public void Without_overrides_every_cell_shows_the_seed_default(string category, string channel, bool on)
    {
        var matrix = PreferenceCenter.Build(Categories.BuiltIn, [], Quiet, "UTC");

        var cell = Cell(matrix, category, channel);
        Assert.Equal((on, on), (cell.Enabled, cell.Default));
    }

    [Fact]
    public void The_matrix_has_every_category_by_the_four_user_channels_built_ins_first()
    {
        var matrix = PreferenceCenter.Build(WithCustom, [], Quiet, "Europe/Berlin");

        Assert.Equal([Channel.Email, Channel.Push, Channel.Sms, Channel.InApp], matrix.Channels);
        Assert.Equal([.. Categories.BuiltIn.Keys, "digest", "outage"], matrix.Categories.Select(r => r.Category));
        Assert.All(matrix.Categories, row => Assert.Equal(matrix.Channels, row.Channels.Select(c => c.Channel)));
        Assert.Equal("Europe/Berlin", matrix.TimeZone);
        Assert.Same(Quiet, matrix.QuietHours);
    }

    [Fact]
    public void Critical_rows_are_locked_on_except_sms_that_is_not_on_by_default()
    {
        var matrix = PreferenceCenter.Build(WithCustom, [Override(Categories.Security, Channel.Email, false)], Quiet, "UTC");

        Assert.Equal(new PreferenceCell(Channel.Email, true, true, true), Cell(matrix, Categories.Security, Channel.Email));
        Assert.True(Cell(matrix, Categories.Security, Channel.Sms).Locked);
        Assert.True(Cell(matrix, Categories.Legal, Channel.Push).Locked);
        Assert.Equal(new PreferenceCell(Channel.Sms, false, false, false), Cell(matrix, Categories.Legal, Channel.Sms));
        Assert.True(Cell(matrix, "outage", Channel.Push).Locked);
        Assert.False(Cell(matrix, Categories.Booking, Channel.Email).Locked);
    }

    [Fact]
    public void Overrides_win_over_defaults_and_keep_the_default_visible()
    {
        var matrix = PreferenceCenter.Build(Categories.BuiltIn,
            [Override(Categories.Booking, Channel.Email, false), Override(Categories.Promotions, Channel.Sms, true)], Quiet, "UTC");

        Assert.Equal(new PreferenceCell(Channel.Email, false, true, false), Cell(matrix, Categories.Booking, Channel.Email));
        Assert.Equal(new PreferenceCell(Channel.Sms, true, false, false), Cell(matrix, Categories.Promotions, Channel.Sms));
    }

    [Fact]
    public void A_valid_update_keeps_its_changes_and_drops_locked_rows_turned_on()
    {
        var update = new PreferenceUpdate(
            [new(Categories.Booking, Channel.Email, false), new(Categories.Security, Channel.Email, true), new("digest", Channel.Push, true)],
            new QuietHoursInput(true, "22:30", "7:00", [Categories.Booking]), "Europe/Berlin");

        var result = PreferenceCenter.Validate(update, WithCustom);

        Assert.Empty(result.Errors);
        Assert.Empty(result.Locked);
        Assert.Equal([(Categories.Booking, Channel.Email), ("digest", Channel.Push)], result.Update!.Changes.Select(c => (c.Category, c.Channel)));
        Assert.Equal(new TimeOnly(22, 30), result.Update.QuietHours!.Start);
        Assert.Equal(new TimeOnly(7, 0), result.Update.QuietHours.End);
        Assert.Equal("Europe/Berlin", result.Update.TimeZone);
    }

    [Fact]
    public void Turning_off_a_locked_row_is_reported_by_its_field_and_nothing_is_accepted()
    {
        var update = new PreferenceUpdate(
            [new(Categories.Booking, Channel.Email, false), new(Categories.Security, Channel.Push, false)], null, null);

        var result = PreferenceCenter.Validate(update, WithCustom);

        Assert.Empty(result.Errors);
        Assert.Equal([new LockedPreference("preferences[1]", Categories.Security, Channel.Push)], result.Locked);
        Assert.Null(result.Update);
    }

    [Theory]
    [InlineData("nope", Channel.Email, true, "preferences[0].category")]
    [InlineData(Categories.Booking, "fax", true, "preferences[0].channel")]
    [InlineData(Categories.Booking, Channel.Webhook, true, "preferences[0].channel")]
    [InlineData(Categories.Booking, Channel.Email, null, "preferences[0].enabled")]
    public void Unknown_categories_and_channels_are_named(string category, string channel, bool? enabled, string field)
    {
        var result = PreferenceCenter.Validate(new PreferenceUpdate([new(category, channel, enabled)], null, null), WithCustom);

        Assert.Equal([field], result.Errors.Keys);
        Assert.Null(result.Update);
    }

    [Theory]
    [InlineData("Mars/Olympus", null, null, null, "timeZone")]
    [InlineData("W. Europe Standard Time", null, null, null, "timeZone")]
    [InlineData(null, "25:00", null, null, "quietHours.start")]
    [InlineData(null, "21:00", "21:00", null, "quietHours.end")]
    [InlineData(null, null, "8pm", null, "quietHours.end")]
    [InlineData(null, null, null, "nope", "quietHours.exceptions[0]")]
    public void Bad_time_zones_and_quiet_hours_are_named(string? timeZone, string? start, string? end, string? exception, string field)
    {
        var quiet = new QuietHoursInput(null, start, end, exception is null ? null : [exception]);

        var result = PreferenceCenter.Validate(new PreferenceUpdate(null, quiet, timeZone), WithCustom);

        Assert.Equal([field], result.Errors.Keys);
    }

    [Fact]
    public void The_same_row_twice_is_refused()
    {
        var result = PreferenceCenter.Validate(
            new PreferenceUpdate([new(Categories.Booking, Channel.Email, false), new(Categories.Booking, Channel.Email, true)], null, null), WithCustom);

        Assert.Equal(["preferences[1]"], result.Errors.Keys);
    }

    [Fact]
    public void Dm_muted_shows_every_user_channel_and_only_the_muted_ones_true()
    {
        var matrix = PreferenceCenter.Build(Categories.BuiltIn, [], Quiet, "UTC", [Channel.Push]);

        Assert.Equal(
            [(Channel.Email, false), (Channel.Push, true), (Channel.Sms, false), (Channel.InApp, false)],
            matrix.DmMuted.Select(d => (d.Key, d.Value)));
    }

    [Fact]
    public void A_dm_muted_update_changes_only_the_channels_it_names()
    {
        var result = PreferenceCenter.Validate(
            new PreferenceUpdate(null, null, null, new() { [Channel.Email] = true, [Channel.Push] = false }), WithCustom);

        Assert.Empty(result.Errors);
        Assert.Equal([Channel.Email, Channel.Sms], result.Update!.DmMutedAfter([Channel.Sms, Channel.Push]));
        Assert.Equal([Channel.Push, Channel.Sms], new ValidPreferenceUpdate([], null, null).DmMutedAfter([Channel.Sms, Channel.Push])); // in channel order
    }

    [Theory]
    [InlineData("fax", true, "dmMuted.fax")]
    [InlineData(Channel.Webhook, true, "dmMuted.webhook")]
    [InlineData(Channel.Email, null, "dmMuted.email")]
    public void Dm_muted_takes_known_user_channels_with_a_value(string channel, bool? muted, string field)
    {
        var result = PreferenceCenter.Validate(new PreferenceUpdate(null, null, null, new() { [channel] = muted }), WithCustom);

        Assert.Equal([field], result.Errors.Keys);
        Assert.Null(result.Update);
    }

    [Fact]
    public void A_missing_body_is_named()
    {
        Assert.Equal(["body"], PreferenceCenter.Validate(null, WithCustom).Errors.Keys);
    }
}
