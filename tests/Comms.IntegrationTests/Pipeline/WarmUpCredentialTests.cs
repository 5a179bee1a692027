extern alias api;

using System.Net;
using api::Comms.Api.Auth;
using Microsoft.AspNetCore.Http;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>
/// The API's warm-up credential lets its self-requests run the authenticated path, and nothing else: only the issued
/// token, only over loopback, only until retired, and only as a tenant that cannot exist.
/// </summary>
public sealed class WarmUpCredentialTests
{
    [Fact]
    public void The_issued_token_authenticates_over_loopback_as_a_tenant_no_one_can_have()
    {
        var credential = new WarmUpCredential();
        var token = credential.Issue();

        var principal = credential.Authenticate(token, From(IPAddress.Loopback), "ApiKey");

        Assert.NotNull(principal);
        Assert.Equal(WarmUpCredential.Tenant, principal.FindFirst(CommsClaims.Tenant)?.Value);
        Assert.NotNull(credential.Authenticate(token, From(IPAddress.IPv6Loopback), "ApiKey"));
    }

    [Fact]
    public void It_is_refused_from_another_address_when_altered_before_it_is_issued_and_after_it_is_retired()
    {
        var credential = new WarmUpCredential();
        Assert.Null(credential.Authenticate("cms_selfwarm_", From(IPAddress.Loopback), "ApiKey"));

        var token = credential.Issue();
        Assert.Null(credential.Authenticate(token, From(IPAddress.Parse("10.0.0.7")), "ApiKey"));
        Assert.Null(credential.Authenticate(token, new DefaultHttpContext(), "ApiKey")); // no remote address
        Assert.Null(credential.Authenticate(token[..^1] + (token[^1] == '0' ? '1' : '0'), From(IPAddress.Loopback), "ApiKey"));

        credential.Retire();
        Assert.Null(credential.Authenticate(token, From(IPAddress.Loopback), "ApiKey"));
        Assert.Throws<InvalidOperationException>(() => credential.Issue());
    }

    private static DefaultHttpContext From(IPAddress address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = address;
        return context;
    }
}
