using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Comms.Realtime;

/// <summary>
/// The end-user hub at <c>/hubs/notifications</c>. Connections are identified as
/// <c>{tenant}:{externalId}</c> (see <see cref="TenantUserIdProvider"/>), so one user's tabs and
/// devices all receive the same pushes, through the Redis backplane, from any replica.
/// It lives in this small shared library so that the dispatcher and the API can publish to it
/// through <see cref="IHubContext{THub,T}"/> without hosting it. The host that maps it defines
/// <see cref="Policy"/> (the Web: a user token, or the notification center's session cookie). Clients can
/// invoke nothing on it: it only pushes.
/// </summary>
[Authorize(Policy = Policy)]
public sealed class NotificationsHub : Hub<INotificationsClient>
{
    public const string Policy = "notifications-hub";
    public const string Path = "/hubs/notifications";

    /// <summary>The group of every connection of a tenant (tenant-wide pushes such as <c>bannersChanged</c>).</summary>
    public static string TenantGroup(string tenantId) => "tenant:" + tenantId;

    /// <summary>The group of every operator connection (operator token with the SysOperator role): <c>inboxChanged</c>.</summary>
    public const string OperatorsGroup = "sys:operators";

    /// <summary>The authentication type of operator connections (the Web's operator token scheme).</summary>
    public const string OperatorAuthenticationType = "OperatorToken";

    /// <summary>The authentication type of the operator console's cookie session (the Web's <c>OperatorCookie</c> scheme).</summary>
    public const string OperatorConsoleAuthenticationType = "OperatorCookie";

    /// <summary>
    /// The same hub for the operator console: under <c>/admin</c>, where the console's cookie (path <c>/admin</c>) is sent,
    /// so a signed-in SysOperator joins <see cref="OperatorsGroup"/> without a bearer token.
    /// </summary>
    public const string ConsolePath = "/admin/hubs/notifications";

    /// <summary>An operator connection: an operator token, or the console's cookie; either way with SysOperator.</summary>
    public static bool IsSysOperatorConnection(System.Security.Claims.ClaimsPrincipal? user) =>
        user?.Identity?.AuthenticationType is OperatorAuthenticationType or OperatorConsoleAuthenticationType
        && user.IsInRole(Core.Operators.OperatorRoles.SysOperator);

    public override async Task OnConnectedAsync()
    {
        if (Context.User?.FindFirst("tid")?.Value is { } tenant)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, TenantGroup(tenant), Context.ConnectionAborted);
        }
        else if (IsSysOperatorConnection(Context.User))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, OperatorsGroup, Context.ConnectionAborted);
        }

        await base.OnConnectedAsync();
    }
}
