using System.Security.Cryptography;
using System.Text;

namespace Comms.Core.Preferences;

/// <summary>
/// An address that must not be sent to on a channel (hard bounce, complaint, STOP). Only a SHA-256
/// hash of the normalised address is kept.
/// </summary>
public sealed class Suppression
{
    public required string TenantId { get; set; }
    public required string Channel { get; set; }
    public required string AddressHash { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public static string Hash(string address) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(address.Trim().ToLowerInvariant())));
}
