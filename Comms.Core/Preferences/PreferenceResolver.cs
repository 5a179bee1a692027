using Comms.Core.Messages;

namespace Comms.Core.Preferences;

/// <summary>
/// Whether a user receives a category on a channel: their override, else the category's default. A
/// critical category bypasses opt-outs — except on SMS, which always needs consent (a default-on
/// category such as security, or the user's own opt-in).
/// </summary>
public static class PreferenceResolver
{
    public static bool IsOptedIn(CategoryInfo category, string channel, bool? userOverride)
    {
        var chosen = userOverride ?? category.IsOnByDefault(channel);
        if (!category.Critical)
        {
            return chosen;
        }

        return channel != Channel.Sms || chosen || category.IsOnByDefault(channel);
    }

    /// <summary>A row a user cannot switch off (shown as locked in the preference center).</summary>
    public static bool IsLocked(CategoryInfo category, string channel) =>
        category.Critical && (channel != Channel.Sms || category.IsOnByDefault(channel));
}
