using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Comms.Core.Unsubscribe;

/// <summary>What an unsubscribe link stands for: one recipient of one tenant, one category on one channel, until it expires.</summary>
public sealed record UnsubscribeClaims(string TenantId, Guid RecipientId, string Category, string Channel, DateTimeOffset ExpiresAt);

public enum UnsubscribeTokenState
{
    Valid,

    /// <summary>Not a token at all: not base64url, too short or too long, cut off (e.g. by a mail client's line wrapping).</summary>
    Malformed,

    /// <summary>The signature does not match: forged, altered, or signed with a key this deployment no longer has.</summary>
    Forged,

    /// <summary>Signed by us, but past its expiry.</summary>
    Expired,
}

/// <summary>The outcome of checking a token; <see cref="Claims"/> is set when the signature is ours (valid or expired).</summary>
public sealed record UnsubscribeTokenCheck(UnsubscribeTokenState State, UnsubscribeClaims? Claims);

/// <summary>
/// The token of a one-click unsubscribe link (RFC 8058): no login, so the link itself must identify the recipient and
/// the list and be hard to forge. Binary and compact, then base64url (URL-safe, no padding), about 75 characters:
/// <code>version(1) | expires, Unix seconds (4, big-endian) | recipient id (16) | tenant, category, channel (each a length byte + UTF-8) | MAC (16)</code>
/// The MAC is HMAC-SHA256 over everything before it with the deployment's key (<c>Comms:Unsubscribe:SigningKey</c>),
/// truncated to 128 bits, and is checked in constant time before any field is read. Nothing is stored per link.
/// </summary>
public static class UnsubscribeToken
{
    public const byte Version = 1;
    public const int MacBytes = 16;

    /// <summary>Longest token accepted (characters); longer input is refused before it is decoded.</summary>
    public const int MaxLength = 512;

    private const int FixedBytes = 1 + 4 + 16;
    private const int MinBytes = FixedBytes + 3 + MacBytes;

    public static string Create(UnsubscribeClaims claims, ReadOnlySpan<byte> key)
    {
        var tenant = Encoding.UTF8.GetBytes(claims.TenantId);
        var category = Encoding.UTF8.GetBytes(claims.Category);
        var channel = Encoding.UTF8.GetBytes(claims.Channel);
        if (tenant.Length is 0 or > 255 || category.Length is 0 or > 255 || channel.Length is 0 or > 255)
        {
            throw new ArgumentException("Tenant, category and channel must each be 1-255 bytes.", nameof(claims));
        }

        var seconds = claims.ExpiresAt.ToUnixTimeSeconds();
        if (seconds is < 0 or > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(claims), "The expiry does not fit the token.");
        }

        var length = FixedBytes + 3 + tenant.Length + category.Length + channel.Length;
        var bytes = new byte[length + MacBytes];
        bytes[0] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), (uint)seconds);
        claims.RecipientId.TryWriteBytes(bytes.AsSpan(5), bigEndian: true, out _);
        var at = FixedBytes;
        foreach (var part in new[] { tenant, category, channel })
        {
            bytes[at++] = (byte)part.Length;
            part.CopyTo(bytes, at);
            at += part.Length;
        }

        Mac(key, bytes.AsSpan(0, length), bytes.AsSpan(length));
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Checks a token against the current key and any previous ones (rotation); expiry is checked last.</summary>
    public static UnsubscribeTokenCheck Check(string? token, IReadOnlyList<byte[]> keys, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength || !Base64Url.IsValid(token.AsSpan(), out var decodedLength)
            || decodedLength < MinBytes)
        {
            return new UnsubscribeTokenCheck(UnsubscribeTokenState.Malformed, null);
        }

        var bytes = Base64Url.DecodeFromChars(token.AsSpan());
        if (!IsWhole(bytes))
        {
            // Cut off (or padded out): the lengths inside do not add up. Nothing is read from such a token.
            return new UnsubscribeTokenCheck(UnsubscribeTokenState.Malformed, null);
        }

        var signed = bytes.AsSpan(0, bytes.Length - MacBytes);
        Span<byte> expected = stackalloc byte[MacBytes];
        var ours = false;
        foreach (var key in keys)
        {
            Mac(key, signed, expected);
            ours |= CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(bytes.Length - MacBytes));
        }

        if (!ours)
        {
            return new UnsubscribeTokenCheck(UnsubscribeTokenState.Forged, null);
        }

        var claims = Read(signed);
        if (claims is null)
        {
            return new UnsubscribeTokenCheck(UnsubscribeTokenState.Malformed, null);
        }

        return new UnsubscribeTokenCheck(now > claims.ExpiresAt ? UnsubscribeTokenState.Expired : UnsubscribeTokenState.Valid, claims);
    }

    /// <summary>Whether the three length-prefixed fields and the MAC exactly fill the token (bounds only; no field is used before the MAC is checked).</summary>
    private static bool IsWhole(ReadOnlySpan<byte> bytes)
    {
        var at = FixedBytes;
        for (var i = 0; i < 3; i++)
        {
            if (at >= bytes.Length)
            {
                return false;
            }

            at += 1 + bytes[at];
        }

        return at + MacBytes == bytes.Length;
    }

    private static UnsubscribeClaims? Read(ReadOnlySpan<byte> signed)
    {
        if (signed[0] != Version)
        {
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32BigEndian(signed[1..]));
        var recipient = new Guid(signed.Slice(5, 16), bigEndian: true);
        var parts = new string[3];
        var at = FixedBytes;
        for (var i = 0; i < parts.Length; i++)
        {
            if (at >= signed.Length || at + 1 + signed[at] > signed.Length || signed[at] == 0)
            {
                return null;
            }

            parts[i] = Encoding.UTF8.GetString(signed.Slice(at + 1, signed[at]));
            at += 1 + signed[at];
        }

        return at == signed.Length ? new UnsubscribeClaims(parts[0], recipient, parts[1], parts[2], expires) : null;
    }

    private static void Mac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, data, full);
        full[..MacBytes].CopyTo(destination);
    }
}
