using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Comms.Core.Tenancy;

namespace Comms.Api.Auth;

/// <summary>
/// The API's <see cref="ISelfRequestCredential"/>: while the warm-up's self-requests run, a random per-process bearer
/// token, accepted only over loopback, that authenticates as <see cref="Tenant"/> — an id no tenant can have (tenant ids
/// are slugs), so every request it makes ends at "the tenant of this key no longer exists" or "not found", having run the
/// authenticated path up to there. Never stored, never logged; retired for good once the self-requests are done.
/// </summary>
public sealed class WarmUpCredential : ISelfRequestCredential
{
    /// <summary>The tenant the credential authenticates as: not a valid tenant id, so nothing is found or written.</summary>
    public const string Tenant = "~warm-up";

    private readonly Lock _gate = new();
    private byte[]? _token;
    private bool _retired;

    public string Issue()
    {
        lock (_gate)
        {
            if (_retired)
            {
                throw new InvalidOperationException("The warm-up credential was retired.");
            }

            var token = "cms_selfwarm_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            _token = Encoding.UTF8.GetBytes(token);
            return token;
        }
    }

    public void Retire()
    {
        lock (_gate)
        {
            _retired = true;
            _token = null;
        }
    }

    /// <summary>The principal of the presented token when it is the live warm-up credential sent over loopback; else null.</summary>
    public ClaimsPrincipal? Authenticate(string presented, HttpContext context, string scheme)
    {
        byte[]? token;
        lock (_gate)
        {
            token = _token;
        }

        if (token is null || context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote)
            || !CryptographicOperations.FixedTimeEquals(token, Encoding.UTF8.GetBytes(presented)))
        {
            return null;
        }

        Claim[] claims =
        [
            new(CommsClaims.Tenant, Tenant),
            new(CommsClaims.ApiKeyId, Guid.Empty.ToString()),
            new(CommsClaims.ApiKeyPrefix, "cms_selfwarm"),
            new(ClaimTypes.Name, "warm-up"),
            new(ClaimTypes.Role, ApiKeyRoles.Admin),
        ];
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}
