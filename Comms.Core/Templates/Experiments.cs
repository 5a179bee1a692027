using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Comms.Core.Templates;

/// <summary>
/// Template experiments (SPEC S3): a user's arm comes from a salted hash of the user key, so the same
/// user gets the same arm on every send, and arms are hit in proportion to their weights.
/// </summary>
public static class Experiments
{
    /// <summary>The largest weight one arm may carry.</summary>
    public const int MaxWeight = 10_000;

    /// <summary>The most arms one template may carry.</summary>
    public const int MaxVariants = 20;

    /// <summary>
    /// The arm for <paramref name="userKey"/>: SHA-256 of <c>salt + ":" + userKey</c>, its first 8 bytes
    /// as an unsigned integer, modulo the total weight, walked over the arms in order. Arms with weight 0
    /// (or less) are never chosen. Null when there are no arms or no positive weight.
    /// </summary>
    public static TemplateVariant? Choose(IReadOnlyList<TemplateVariant> variants, string salt, string userKey)
    {
        ArgumentNullException.ThrowIfNull(variants);
        long total = 0;
        foreach (var variant in variants)
        {
            total += Math.Max(variant.Weight, 0);
        }

        if (total <= 0)
        {
            return null;
        }

        var point = (long)(Bucket(salt, userKey) % (ulong)total);
        foreach (var variant in variants)
        {
            var weight = Math.Max(variant.Weight, 0);
            if (point < weight)
            {
                return variant;
            }

            point -= weight;
        }

        return null; // unreachable: point < total
    }

    /// <summary>The stable 64-bit bucket of a user under a salt.</summary>
    public static ulong Bucket(string salt, string userKey)
    {
        var input = Encoding.UTF8.GetBytes(salt + ":" + userKey);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }
}
