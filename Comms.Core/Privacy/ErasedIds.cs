using System.Security.Cryptography;
using System.Text;

namespace Comms.Core.Privacy;

/// <summary>
/// The tombstones an erasure writes (SPEC S11). An erased recipient's external id becomes <c>erased:</c> + the SHA-256 of
/// the external id (hex), like a suppression's address hash: it holds nothing readable, yet the same external id can
/// still be recognised later (an event naming it is dropped with <c>COMMS_RECIPIENT_ERASED</c>, an upsert refused).
/// The database's immutability triggers compute the same value (<c>comms_erased_external_id</c>) to check an erasure.
/// </summary>
public static class ErasedIds
{
    public const string Prefix = "erased:";

    /// <summary>What replaces erased text (an inbox title, a render's subject and body, a decision's detail).</summary>
    public const string Text = "[erased]";

    public static string Tombstone(string externalId) =>
        Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(externalId)));

    /// <summary>Whether the id is a tombstone (a caller may not name one).</summary>
    public static bool IsTombstone(string externalId) => externalId.StartsWith(Prefix, StringComparison.Ordinal);
}
