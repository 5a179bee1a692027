using Comms.Core.ContextMail;
using Comms.Core.Contexts;
using Microsoft.Extensions.Logging;

namespace Comms.Realtime;

/// <summary>
/// The system mail of a context's lifecycle (SPEC S8): a context paused or cancelled → every active member is told;
/// a member removed or blocked → that member is told, and keeps the explanation (admin and system mail stay readable
/// after removal). A failure is logged, never thrown: the lifecycle change is already stored.
/// </summary>
public sealed partial class ContextMailLifecycle(LiveContextMail mail, ILogger<ContextMailLifecycle> logger) : IContextLifecycle
{
    public async Task ContextStatusChangedAsync(Context context, string oldStatus, string newStatus, CancellationToken cancellationToken)
    {
        var (subject, body) = newStatus switch
        {
            ContextStatus.Paused => ($"{context.Name} is paused",
                $"{context.Name} has been paused by its host. Nothing scheduled for it is sent until it resumes; you will hear when it does."),
            ContextStatus.Cancelled => ($"{context.Name} is cancelled",
                $"{context.Name} has been cancelled by its host. It will not take place; nothing more is scheduled for it."),
            _ => (null, null),
        };
        if (subject is not null)
        {
            await SendAsync(context, "context." + newStatus, null, subject, body!, cancellationToken);
        }
    }

    public async Task MemberStatusChangedAsync(Context context, ContextMember member, string? oldStatus, string newStatus,
        CancellationToken cancellationToken)
    {
        var (subject, body) = newStatus switch
        {
            MemberStatus.Removed => ($"You were removed from {context.Name}",
                $"The host has removed you from {context.Name}. You keep this mail and the host's messages to you, but no longer receive members' mail."),
            MemberStatus.Blocked => ($"You were blocked from {context.Name}",
                $"The host has blocked you from {context.Name}. You keep this mail and the host's messages to you, but can no longer take part."),
            _ => (null, null),
        };
        if (subject is not null && oldStatus != newStatus)
        {
            await SendAsync(context, "member." + newStatus, [member.ExternalId], subject, body!, cancellationToken);
        }
    }

    private async Task SendAsync(Context context, string systemEvent, IReadOnlyList<string>? to, string subject, string body,
        CancellationToken cancellationToken)
    {
        try
        {
            await mail.SendSystemAsync(context, systemEvent, to, subject, body, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, systemEvent, ex.GetType().Name);
        }
    }

    [LoggerMessage(1, LogLevel.Error, "The system mail of {SystemEvent} could not be sent ({Failure}); the lifecycle change itself is stored")]
    private static partial void LogFailed(ILogger logger, string systemEvent, string failure);
}
