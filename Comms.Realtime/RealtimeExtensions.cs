using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Comms.Realtime;

public static class RealtimeExtensions
{
    public const string ChannelPrefix = "comms-signalr";

    /// <summary>
    /// Adds SignalR with the Redis backplane from <c>ConnectionStrings:redis</c>. Used by the Web (which
    /// maps the hub) and by the API and dispatcher (which only publish, through <see cref="LivePushes"/>).
    /// </summary>
    public static ISignalRServerBuilder AddCommsRealtime(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("redis")
            ?? throw new InvalidOperationException("ConnectionStrings:redis is required for the SignalR backplane.");

        builder.Services.AddSingleton<IUserIdProvider, TenantUserIdProvider>();
        builder.Services.AddSingleton<LivePushes>();
        return builder.Services.AddSignalR()
            .AddStackExchangeRedis(connectionString, options =>
            {
                options.Configuration.ChannelPrefix = RedisChannel.Literal(ChannelPrefix);
                options.Configuration.AbortOnConnectFail = false;
            });
    }
}
