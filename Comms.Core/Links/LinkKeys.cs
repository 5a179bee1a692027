using System.Security.Cryptography;
using Comms.Core.Unsubscribe;

namespace Comms.Core.Links;

/// <summary>
/// The keys of tracked links, derived (HKDF-SHA256, its own label) from <c>Comms:Unsubscribe:SigningKey</c> and its
/// <c>PreviousSigningKeys</c>: the same secret, kept and rotated the same way, shared by the dispatchers (which sign) and
/// the Web (which checks), yet a link token can never pass as an unsubscribe token or the other way round.
/// </summary>
public static class LinkKeys
{
    private static readonly byte[] Label = "comms/link-tracking/v1"u8.ToArray();

    public static byte[] Signing(UnsubscribeOptions options) => Derive(options.Key);

    /// <summary>The current key, then those of the previous signing keys.</summary>
    public static IReadOnlyList<byte[]> Verification(UnsubscribeOptions options) => [.. options.VerificationKeys.Select(Derive)];

    public static byte[] Derive(byte[] secret) => HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, salt: [], info: Label);
}
