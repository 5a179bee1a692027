using Comms.Core.Messages;

namespace Comms.Core.Preferences;

/// <summary>What routing needs to know about a category: is it critical, and which channels are on by default.</summary>
/// <param name="ListedChannels">The default channels in the order they were given (a tenant category's), then the always-on ones.</param>
public sealed record CategoryInfo(
    string Name, bool Critical, IReadOnlySet<string> DefaultChannels, bool BuiltIn, string? Description = null, IReadOnlyList<string>? ListedChannels = null)
{
    public bool IsOnByDefault(string channel) => DefaultChannels.Contains(channel);
}

/// <summary>
/// The built-in categories and the default opt-in matrix of the seeds: email for all but promotions;
/// push for booking, messages and reviews; SMS opt-in only, except security; in-app always.
/// Critical categories (security, legal) bypass opt-outs and quiet hours.
/// </summary>
public static class Categories
{
    public const string Security = "security";
    public const string Legal = "legal";
    public const string Booking = "booking";
    public const string Messages = "messages";
    public const string Reviews = "reviews";
    public const string Promotions = "promotions";
    public const string Finance = "finance";
    public const string Account = "account";

    /// <summary>Channels that are always on by default, whatever the category.</summary>
    public static readonly IReadOnlySet<string> AlwaysOnChannels = new HashSet<string>(StringComparer.Ordinal) { Channel.InApp, Channel.Webhook };

    // Declared after AlwaysOnChannels: static fields initialise in order.
    public static readonly IReadOnlyDictionary<string, CategoryInfo> BuiltIn = new Dictionary<string, CategoryInfo>(StringComparer.Ordinal)
    {
        [Security] = Build(Security, critical: true, "Sign-ins, password and security alerts", Channel.Email, Channel.Sms, Channel.Push),
        [Legal] = Build(Legal, critical: true, "Terms, policies and legal notices", Channel.Email),
        [Booking] = Build(Booking, critical: false, "Bookings and their changes", Channel.Email, Channel.Push),
        [Messages] = Build(Messages, critical: false, "Messages from other people", Channel.Email, Channel.Push),
        [Reviews] = Build(Reviews, critical: false, "Reviews and ratings", Channel.Email, Channel.Push),
        [Promotions] = Build(Promotions, critical: false, "Offers and news"),
        [Finance] = Build(Finance, critical: false, "Invoices, receipts and payouts", Channel.Email),
        [Account] = Build(Account, critical: false, "Your account", Channel.Email),
    };

    public static CategoryInfo FromTenantCategory(Category category) =>
        new(category.Name, category.Critical,
            new HashSet<string>(category.DefaultChannels.Concat(AlwaysOnChannels), StringComparer.Ordinal),
            BuiltIn: false, category.Description,
            [.. category.DefaultChannels, .. AlwaysOnChannels.Where(c => !category.DefaultChannels.Contains(c)).Order(StringComparer.Ordinal)]);

    private static CategoryInfo Build(string name, bool critical, string description, params string[] channels) =>
        new(name, critical, new HashSet<string>(channels.Concat(AlwaysOnChannels), StringComparer.Ordinal), BuiltIn: true, description);
}
