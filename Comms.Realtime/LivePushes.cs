using Comms.Core.ContextMail;
using Comms.Core.Diagnostics;
using Comms.Core.Inbox;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Comms.Realtime;

/// <summary>
/// The one publisher of live pushes to a user's connections (through the SignalR Redis backplane), used by
/// every service. A push is fire-and-forget: it is started in the caller's order and never awaited by the
/// caller, so a request or a send never waits on Redis, and a push that fails (Redis paused or gone: it ends
/// with StackExchange.Redis's timeout) is logged — once per outage — and counted
/// (<c>comms.live_push.failed</c>), never thrown. Nothing is lost: clients catch up from their cursor on
/// reconnect, and pushes resume by themselves when Redis is back.
/// </summary>
public sealed partial class LivePushes(IHubContext<NotificationsHub, INotificationsClient> hub, ILogger<LivePushes> logger)
{
    private int _failing;

    public void NotificationReceived(string tenantId, string externalId, InboxItemView item) =>
        Fire(tenantId, externalId, client => client.NotificationReceived(item));

    public void NotificationChanged(string tenantId, string externalId, NotificationChange change) =>
        Fire(tenantId, externalId, client => client.NotificationChanged(change));

    public void UnreadCountChanged(string tenantId, string externalId, UnreadCounts counts) =>
        Fire(tenantId, externalId, client => client.UnreadCountChanged(counts));

    public void ContextUnreadChanged(string tenantId, string externalId, ContextUnread unread) =>
        Fire(tenantId, externalId, client => client.ContextUnreadChanged(unread));

    /// <summary>
    /// Banners changed (created, changed, deleted, started or ended): every connection of the audience's tenants, or every
    /// connection at all when the banner is for everyone. The push carries nothing; clients fetch <c>GET /me/banners</c>.
    /// </summary>
    public void BannersChanged(Comms.Core.Banners.BannerAudience audience)
    {
        if (audience.Everyone)
        {
            FireTo(() => hub.Clients.All.BannersChanged());
        }
        else if (audience.Tenants.Count > 0)
        {
            FireTo(() => hub.Clients.Groups(audience.Tenants.Select(NotificationsHub.TenantGroup).ToList()).BannersChanged());
        }
    }

    /// <summary>The operator inbox changed: every operator connection gets <c>inboxChanged</c> (the client fetches the thread or the list).</summary>
    public void InboxChanged(Guid threadId, string reason) =>
        FireTo(() => hub.Clients.Group(NotificationsHub.OperatorsGroup).InboxChanged(new InboxChange(threadId, reason)));

    /// <summary>
    /// The warm-up: both pushes of a delivery (the item and the unread count), awaited, to a user key no connection can
    /// have (<c>~warm-up</c> is not a tenant id) — the SignalR backplane's serialization and Redis publish run once and
    /// nobody receives anything.
    /// </summary>
    public async Task WarmUpAsync(DateTimeOffset now)
    {
        var user = hub.Clients.User(TenantUserIdProvider.UserKey("~warm-up", "warm-up"));
        await user.NotificationReceived(new InboxItemView(
            Guid.Empty, "account", "Warm", "Warm", "<p>Warm</p>", null, null, null, now, null, null, null, "warm-up") { PreviousCursor = "warm-up" });
        await user.UnreadCountChanged(new UnreadCounts(1, 1, now));
    }

    private void Fire(string tenantId, string externalId, Func<INotificationsClient, Task> push) =>
        FireTo(() => push(hub.Clients.User(TenantUserIdProvider.UserKey(tenantId, externalId))));

    private void FireTo(Func<Task> push)
    {
        Task task;
        try
        {
            task = push();
        }
        catch (Exception ex)
        {
            Failed(ex);
            return;
        }

        if (task.IsCompletedSuccessfully)
        {
            Succeeded();
            return;
        }

        _ = ObserveAsync(task);
    }

    private async Task ObserveAsync(Task task)
    {
        try
        {
            await task;
            Succeeded();
        }
        catch (Exception ex)
        {
            Failed(ex);
        }
    }

    private void Succeeded()
    {
        if (Interlocked.Exchange(ref _failing, 0) == 1)
        {
            LogResumed(logger);
        }
    }

    private void Failed(Exception exception)
    {
        CommsTelemetry.LivePushesFailed.Add(1);
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            LogFailing(logger, exception.GetType().Name, exception.Message);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Live pushes are failing ({Failure}: {Problem}); clients catch up from their cursor on reconnect")]
    private static partial void LogFailing(ILogger logger, string failure, string problem);

    [LoggerMessage(2, LogLevel.Information, "Live pushes work again")]
    private static partial void LogResumed(ILogger logger);
}
