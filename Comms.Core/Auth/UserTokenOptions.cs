using System.ComponentModel.DataAnnotations;

namespace Comms.Core.Auth;

/// <summary>
/// <c>Comms:Auth</c>: how end-user sessions are verified. The host product signs an HS256 JWT with
/// this shared secret; <c>sub</c> is the user's external id and <c>tid</c> the tenant.
/// </summary>
public sealed class UserTokenOptions
{
    public const string SectionName = "Comms:Auth";

    [Required, MinLength(32, ErrorMessage = "Comms:Auth:UserTokenSigningKey must be at least 32 characters (256 bits) for HS256.")]
    public string UserTokenSigningKey { get; set; } = "";

    /// <summary>Optional issuer to require; empty accepts any.</summary>
    public string? Issuer { get; set; }

    /// <summary>Optional audience to require; empty accepts any.</summary>
    public string? Audience { get; set; }
}
