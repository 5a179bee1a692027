using Microsoft.AspNetCore.SignalR;

namespace Comms.Realtime;

/// <summary>SignalR user id = <c>{tid}:{sub}</c>, so users of different tenants never share a group.</summary>
public sealed class TenantUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection)
    {
        var tenant = connection.User.FindFirst("tid")?.Value;
        var subject = connection.User.FindFirst("sub")?.Value
            ?? connection.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value;
        return tenant is null || subject is null ? null : UserKey(tenant, subject);
    }

    public static string UserKey(string tenantId, string externalId) => $"{tenantId}:{externalId}";
}
