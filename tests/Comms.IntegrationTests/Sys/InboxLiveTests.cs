using System.Net.Http.Json;
using System.Threading.Channels;
using Comms.IntegrationTests.Auth;
using Comms.IntegrationTests.Infrastructure;
using Comms.Realtime;
using Microsoft.AspNetCore.SignalR.Client;

namespace Comms.IntegrationTests.Sys;

/// <summary>
/// Operator inbox changes are pushed live as <c>inboxChanged</c> (from the API, through the Redis backplane, to the Web's
/// hub): an operator connected with their operator token joins the operators group and gets the new mail and the close;
/// an end user's connection gets nothing; a forged operator token cannot connect.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class InboxLiveTests(CommsFixture fixture)
{
    [Fact]
    public async Task An_operator_on_the_hub_gets_inboxChanged_for_a_new_mail_and_a_close_and_an_end_user_does_not()
    {
        var client = fixture.Api.CreateClient();
        var op = await OperatorTestSupport.CreateAsync(fixture, Comms.Core.Operators.OperatorRoles.SysOperator);
        var token = await OperatorTestSupport.TokenAsync(client, op.Email!);
        var (console, changes) = await ConnectAsync(token);
        var tenant = await TestTenant.CreateAsync(fixture, "eve");
        var (user, userChanges) = await ConnectAsync(tenant.UserToken("eve"));
        await using var consoleConnection = console;
        await using var userConnection = user;

        var posted = await client.SendAsync(InboundParsePost.Mail($"live-{Guid.NewGuid():N}@example.net", "Live?", $"{Guid.NewGuid():N}@example.net").Request());
        var threadId = Guid.Parse((await posted.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("threadId").GetString()!);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        Assert.Equal("received", (await ReadForAsync(changes, threadId, timeout.Token)).Reason);

        await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/sys/inbox/{threadId}/close").With(token));
        Assert.Equal("closed", (await ReadForAsync(changes, threadId, timeout.Token)).Reason);

        // The end user's connection was open all along and got none of it.
        Assert.False(userChanges.Reader.TryRead(out var leaked), $"leaked: {leaked}");
    }

    [Fact]
    public async Task A_forged_operator_token_cannot_connect()
    {
        // Operator-shaped (issuer comms-sys), signed by nobody.
        var forged = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJjb21tcy1zeXMiLCJzdWIiOiIwMTkzYTBjNC01YjFlLTcwMDAtODAwMC0wMDAwMDAwMDAwMDEifQ"
            + ".c2lnbmF0dXJlLW9mLW5vYm9keS1hdC1hbGwtMTIzNDU2Nzg";
        var connection = new HubConnectionBuilder()
            .WithUrl($"{fixture.Web.BaseUrl}{NotificationsHub.Path}", o => o.AccessTokenProvider = () => Task.FromResult<string?>(forged))
            .Build();
        await using var forgedConnection = connection;
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => connection.StartAsync());
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
    }

    private async Task<(HubConnection Connection, Channel<InboxChange> Changes)> ConnectAsync(string token)
    {
        var changes = Channel.CreateUnbounded<InboxChange>();
        var connection = new HubConnectionBuilder()
            .WithUrl($"{fixture.Web.BaseUrl}{NotificationsHub.Path}", o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        connection.On<InboxChange>("inboxChanged", change => changes.Writer.TryWrite(change));
        await connection.StartAsync();
        return (connection, changes);
    }

    private static async Task<InboxChange> ReadForAsync(Channel<InboxChange> changes, Guid threadId, CancellationToken cancellationToken)
    {
        // Other tests' threads change too: skip theirs.
        while (true)
        {
            var change = await changes.Reader.ReadAsync(cancellationToken);
            if (change.ThreadId == threadId)
            {
                return change;
            }
        }
    }
}
