using Comms.Core.Messages;
using Comms.Core.Recipients;

namespace Comms.Core.Preferences;

/// <summary>One cell of the matrix: what the user gets, what the default is, and whether they may change it.</summary>
public sealed record PreferenceCell(string Channel, bool Enabled, bool Default, bool Locked);

/// <summary>One category of the matrix with a cell per channel; critical categories are shown but locked.</summary>
public sealed record PreferenceRow(string Category, string? Description, bool Critical, bool BuiltIn, IReadOnlyList<PreferenceCell> Channels);

/// <summary>The preference center of one user (SPEC S5): category × channel opt-ins, quiet hours and time zone.</summary>
/// <param name="DmMuted">Per channel: true when the user mutes direct messages from operators there (SPEC S6 <c>dm_muted</c>).</param>
public sealed record PreferenceMatrix(
    IReadOnlyList<string> Channels, IReadOnlyList<PreferenceRow> Categories, QuietHoursView QuietHours, string TimeZone,
    IReadOnlyDictionary<string, bool> DmMuted);

/// <summary>Turns one category on or off on one channel.</summary>
public sealed record PreferenceChange(string? Category, string? Channel, bool? Enabled);

/// <summary>A partial update of the preference center: only what is given changes.</summary>
/// <param name="TimeZone">An IANA time zone, e.g. <c>Europe/Berlin</c>; quiet hours are in this zone.</param>
/// <param name="DmMuted">Per channel, whether direct messages from operators are muted there (<c>{ "email": true }</c>); channels left out keep their value.</param>
public sealed record PreferenceUpdate(
    List<PreferenceChange>? Preferences, QuietHoursInput? QuietHours, string? TimeZone, Dictionary<string, bool?>? DmMuted = null);

/// <summary>A request to turn off a row the user may not turn off.</summary>
public sealed record LockedPreference(string Field, string Category, string Channel);

/// <summary>A checked update, ready to store.</summary>
public sealed record ValidPreferenceUpdate(
    IReadOnlyList<PreferenceChange> Changes, QuietHoursChange? QuietHours, string? TimeZone, IReadOnlyDictionary<string, bool>? DmMuted = null)
{
    /// <summary>The muted channels after this update, given the ones muted before (in <see cref="PreferenceCenter.Channels"/> order).</summary>
    public string[] DmMutedAfter(IEnumerable<string> before)
    {
        var muted = new HashSet<string>(before, StringComparer.Ordinal);
        foreach (var (channel, mute) in DmMuted ?? new Dictionary<string, bool>())
        {
            if (mute)
            {
                muted.Add(channel);
            }
            else
            {
                muted.Remove(channel);
            }
        }

        return [.. PreferenceCenter.Channels.Where(muted.Contains)];
    }
}

/// <summary>
/// The result of checking an update: input errors (400), else locked rows the update tried to turn off
/// (422), else the update to store.
/// </summary>
public sealed record PreferenceValidation(Dictionary<string, string[]> Errors, IReadOnlyList<LockedPreference> Locked, ValidPreferenceUpdate? Update);

/// <summary>Builds and checks the preference center; pure, so the rules are unit-tested without I/O.</summary>
public static class PreferenceCenter
{
    /// <summary>The channels a user manages (webhooks are the product's, not the user's).</summary>
    public static readonly IReadOnlyList<string> Channels = [Channel.Email, Channel.Push, Channel.Sms, Channel.InApp];

    public const int MaxChangesPerUpdate = 1000;

    private static readonly Dictionary<string, int> BuiltInOrder =
        Categories.BuiltIn.Keys.Select((name, index) => (name, index)).ToDictionary(x => x.name, x => x.index, StringComparer.Ordinal);

    /// <summary>
    /// The matrix of every category × channel: the user's override where there is one, else the
    /// category's default; critical rows are locked on (SMS excepted unless it is on by default).
    /// Built-in categories come first in their fixed order, then the tenant's by name.
    /// </summary>
    public static PreferenceMatrix Build(
        IReadOnlyDictionary<string, CategoryInfo> categories, IEnumerable<Preference> overrides, QuietHoursView quietHours, string timeZone,
        IReadOnlyCollection<string>? dmMutedChannels = null)
    {
        var chosen = overrides.ToDictionary(p => (p.Category, p.Channel), p => p.Enabled);
        var rows = categories.Values
            .OrderBy(c => BuiltInOrder.GetValueOrDefault(c.Name, int.MaxValue))
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(category => new PreferenceRow(
                category.Name,
                category.Description,
                category.Critical,
                category.BuiltIn,
                Channels.Select(channel => new PreferenceCell(
                    channel,
                    PreferenceResolver.IsOptedIn(category, channel, chosen.TryGetValue((category.Name, channel), out var on) ? on : null),
                    PreferenceResolver.IsOptedIn(category, channel, null),
                    PreferenceResolver.IsLocked(category, channel))).ToList()))
            .ToList();
        var dmMuted = Channels.ToDictionary(channel => channel, channel => dmMutedChannels?.Contains(channel) == true, StringComparer.Ordinal);
        return new PreferenceMatrix(Channels, rows, quietHours, timeZone, dmMuted);
    }

    /// <summary>
    /// Checks an update against the tenant's categories. Turning a locked row on again is accepted and
    /// changes nothing; turning it off is refused.
    /// </summary>
    public static PreferenceValidation Validate(PreferenceUpdate? update, IReadOnlyDictionary<string, CategoryInfo> categories)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];
        var locked = new List<LockedPreference>();
        if (update is null)
        {
            Add("body", "The request body must be a JSON object: { \"preferences\": [{ \"category\", \"channel\", \"enabled\" }], \"quietHours\", \"timeZone\", \"dmMuted\" }.");
            return new PreferenceValidation(errors, locked, null);
        }

        var changes = new List<PreferenceChange>();
        var given = update.Preferences ?? [];
        if (given.Count > MaxChangesPerUpdate)
        {
            Add("preferences", $"At most {MaxChangesPerUpdate} changes per update.");
            return new PreferenceValidation(errors, locked, null);
        }

        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < given.Count; i++)
        {
            var field = $"preferences[{i}]";
            if (given[i] is not { } change)
            {
                Add(field, "Each preference is an object: { \"category\": \"booking\", \"channel\": \"email\", \"enabled\": false }.");
                continue;
            }

            var category = change.Category is null ? null : categories.GetValueOrDefault(change.Category);
            if (category is null)
            {
                Add(field + ".category", $"Unknown category {RecipientFormats.Quote(change.Category)}. Known categories: {string.Join(", ", categories.Keys.Order(StringComparer.Ordinal))}.");
            }

            var channelKnown = change.Channel is not null && Channels.Contains(change.Channel);
            if (!channelKnown)
            {
                Add(field + ".channel", $"Unknown channel {RecipientFormats.Quote(change.Channel)}. The channels are: {string.Join(", ", Channels)}.");
            }

            if (change.Enabled is null)
            {
                Add(field + ".enabled", "enabled is required: true or false.");
            }

            if (category is null || !channelKnown || change.Enabled is null)
            {
                continue;
            }

            if (!seen.Add((category.Name, change.Channel!)))
            {
                Add(field, $"'{category.Name}' on {change.Channel} is given more than once.");
            }
            else if (PreferenceResolver.IsLocked(category, change.Channel!))
            {
                if (change.Enabled == false)
                {
                    locked.Add(new LockedPreference(field, category.Name, change.Channel!));
                }
            }
            else
            {
                changes.Add(change);
            }
        }

        string? timeZone = null;
        if (update.TimeZone is not null)
        {
            timeZone = update.TimeZone.Trim();
            if (!TimeZones.TryFind(timeZone, out _))
            {
                Add("timeZone", $"{RecipientFormats.Quote(update.TimeZone)} is not an IANA time zone such as 'Europe/Berlin' or 'UTC'.");
            }
        }

        var quietHours = QuietHoursSettings.Validate(update.QuietHours, categories, "quietHours.", Add);
        var dmMuted = ValidateDmMuted(update.DmMuted, Add);
        var valid = errors.Count == 0 && locked.Count == 0;
        return new PreferenceValidation(errors, locked, valid ? new ValidPreferenceUpdate(changes, quietHours, timeZone, dmMuted) : null);
    }

    /// <summary>Checks <c>dmMuted</c>: known channels only, each true or false.</summary>
    private static Dictionary<string, bool>? ValidateDmMuted(Dictionary<string, bool?>? given, Action<string, string> addError)
    {
        if (given is null)
        {
            return null;
        }

        if (given.Count > Channels.Count)
        {
            addError("dmMuted", $"dmMuted names at most the {Channels.Count} channels: {string.Join(", ", Channels)}.");
            return null;
        }

        var valid = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (channel, muted) in given)
        {
            if (!Channels.Contains(channel))
            {
                addError($"dmMuted.{(channel.Length > 64 ? channel[..61] + "..." : channel)}",
                    $"Unknown channel {RecipientFormats.Quote(channel)}. The channels are: {string.Join(", ", Channels)}.");
            }
            else if (muted is null)
            {
                addError($"dmMuted.{channel}", "Each channel is true (direct messages muted) or false.");
            }
            else
            {
                valid[channel] = muted.Value;
            }
        }

        return valid;
    }
}
