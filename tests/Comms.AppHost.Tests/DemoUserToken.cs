using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Comms.AppHost.Tests;

/// <summary>An end-user token of the demo tenant, signed as the README tells a host product to sign one.</summary>
internal static class DemoUserToken
{
    /// <summary>The demo tenant's development key (<c>Comms:Seed:UserTokenSigningKey</c> of Comms.Api's appsettings.Development.json).</summary>
    private const string Secret = "demo-dev-user-token-signing-secret-change-me";

    public static string For(string externalId) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity([new Claim("sub", externalId), new Claim("tid", "demo")]),
        Issuer = "comms",
        Audience = "comms-user",
        Expires = DateTime.UtcNow.AddMinutes(10),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)) { KeyId = "demo-dev" }, SecurityAlgorithms.HmacSha256),
    });
}
