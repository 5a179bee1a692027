using System.Text.Json;

namespace Comms.Core.Broadcasts;

public static class BroadcastLimits
{
    public const int MaxTitleLength = 200;
    public const int MaxSubjectLength = 200;
    public const int MaxBodyLength = 20_000;
    public const int MaxTenants = 100;
    public const int MaxRoles = 20;
    public const int MaxAttributes = 10;
    public const int MaxPageSize = 100;
}

/// <summary>Subject and body (Liquid) of one channel.</summary>
public sealed record BroadcastChannelContent(string? Subject, string? Body);

/// <summary>How the banner channel shows: kind, severity and when it ends (default: until the broadcast is cancelled).</summary>
public sealed record BroadcastBannerOptions(string? Kind, string? Severity, DateTimeOffset? EndsAt);

/// <summary>
/// The body of <c>POST /sys/broadcasts</c> and <c>PUT /sys/broadcasts/{id}</c>: <c>subject</c> and <c>body</c> serve every
/// channel unless <c>content.{channel}</c> gives that channel its own.
/// </summary>
public sealed record BroadcastRequest
{
    public string? Title { get; init; }
    public JsonElement? Audience { get; init; }
    public List<string>? Channels { get; init; }
    public string? Subject { get; init; }
    public string? Body { get; init; }
    public Dictionary<string, BroadcastChannelContent>? Content { get; init; }
    public BroadcastBannerOptions? Banner { get; init; }
}

/// <summary>What happened so far on one channel of a sending broadcast.</summary>
public sealed record BroadcastChannelProgress(long Queued, long Sent, long Failed, long Suppressed, long Cancelled);

public sealed record BroadcastView(
    Guid Id, string Title, JsonElement Audience, IReadOnlyList<string> Channels, IReadOnlyDictionary<string, BroadcastChannelContent> Content,
    BroadcastBannerOptions? Banner, string Status, string CreatedBy, string? SentBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? SendStartedAt, DateTimeOffset? SentAt, DateTimeOffset? PausedAt, DateTimeOffset? CancelledAt, Guid? BannerActivationId,
    IReadOnlyDictionary<string, BroadcastChannelProgress>? Progress)
{
    public static BroadcastView From(SysBroadcast b, IReadOnlyDictionary<string, BroadcastChannelProgress>? progress = null)
    {
        using var audience = JsonDocument.Parse(b.Audience);
        return new(b.Id, b.Title, audience.RootElement.Clone(), b.Channels, BroadcastContent.Parse(b.Content),
            b.Channels.Contains(BroadcastChannels.Banner) ? new BroadcastBannerOptions(b.BannerKind, b.BannerSeverity, b.BannerEndsAt) : null,
            b.Status, b.CreatedBy, b.SentBy, b.CreatedAt, b.UpdatedAt, b.SendStartedAt, b.SentAt, b.PausedAt, b.CancelledAt, b.BannerActivationId,
            progress);
    }
}

public sealed record BroadcastPage(IReadOnlyList<BroadcastView> Items, string? NextCursor);

public sealed record BroadcastAudienceCount(long Recipients, int Tenants);

/// <summary>The resolved subject and body of each selected channel, stored as JSON.</summary>
public static class BroadcastContent
{
    public static Dictionary<string, BroadcastChannelContent> Resolve(BroadcastRequest request) =>
        request.Channels!.ToDictionary(c => c, c =>
        {
            var own = request.Content?.GetValueOrDefault(c);
            return new BroadcastChannelContent(own?.Subject ?? request.Subject, own?.Body ?? request.Body);
        }, StringComparer.Ordinal);

    public static string ToJson(Dictionary<string, BroadcastChannelContent> content) => JsonSerializer.Serialize(content, JsonSerializerOptions.Web);

    public static Dictionary<string, BroadcastChannelContent> Parse(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, BroadcastChannelContent>>(json, JsonSerializerOptions.Web) ?? [];
}
