namespace Comms.Core.Messages;

/// <summary>The delivery channels, as their wire names.</summary>
public static class Channel
{
    public const string Email = "email";
    public const string Push = "push";
    public const string Sms = "sms";
    public const string InApp = "in_app";
    public const string Webhook = "webhook";

    public static readonly IReadOnlyList<string> All = [Email, Push, Sms, InApp, Webhook];

    public static bool IsKnown(string? channel) => channel is not null && All.Contains(channel);
}
