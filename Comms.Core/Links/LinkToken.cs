using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Comms.Core.Links;

/// <summary>What a tracked link stands for: link <see cref="Index"/> of one message of one tenant, leading to <see cref="Target"/>.</summary>
public sealed record LinkClaims(string TenantId, Guid MessageId, int Index, string Target);

public enum LinkTokenState
{
    Valid,

    /// <summary>Not a token at all: not base64url, too short or too long, cut off, or of an unknown version.</summary>
    Malformed,

    /// <summary>The signature does not match: forged, altered (e.g. another target), or signed with a key this deployment no longer has.</summary>
    Forged,
}

/// <summary>The outcome of checking a token; <see cref="Claims"/> is set only when the signature is ours.</summary>
public sealed record LinkTokenCheck(LinkTokenState State, LinkClaims? Claims);

/// <summary>
/// The token of a tracked link (<c>/r/{token}</c>, SPEC S11). The target travels inside the token, so nothing is
/// stored per link and nothing can be redirected anywhere we did not sign. Binary, then base64url (URL-safe, no padding):
/// <code>version(1) | message id (16) | link index (2, big-endian) | tenant (a length byte + UTF-8) | target (UTF-8, the rest) | MAC (16)</code>
/// The MAC is HMAC-SHA256 over everything before it with the link key (<see cref="LinkKeys"/>), truncated to 128 bits,
/// checked in constant time before any field is read. Links do not expire: an old email's links keep working.
/// </summary>
public static class LinkToken
{
    public const byte Version = 1;
    public const int MacBytes = 16;

    /// <summary>Longest token accepted (characters); longer input is refused before it is decoded.</summary>
    public const int MaxLength = 4096;

    private const int FixedBytes = 1 + 16 + 2;
    private const int MinBytes = FixedBytes + 2 + 1 + MacBytes;

    public static string Create(LinkClaims claims, ReadOnlySpan<byte> key)
    {
        var tenant = Encoding.UTF8.GetBytes(claims.TenantId);
        var target = Encoding.UTF8.GetBytes(claims.Target);
        if (tenant.Length is 0 or > 255 || target.Length == 0)
        {
            throw new ArgumentException("The tenant must be 1-255 bytes and the target not empty.", nameof(claims));
        }

        if (claims.Index is < 0 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(claims), "The link index does not fit the token.");
        }

        var length = FixedBytes + 1 + tenant.Length + target.Length;
        var bytes = new byte[length + MacBytes];
        bytes[0] = Version;
        claims.MessageId.TryWriteBytes(bytes.AsSpan(1), bigEndian: true, out _);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(17), (ushort)claims.Index);
        bytes[FixedBytes] = (byte)tenant.Length;
        tenant.CopyTo(bytes, FixedBytes + 1);
        target.CopyTo(bytes, FixedBytes + 1 + tenant.Length);
        Mac(key, bytes.AsSpan(0, length), bytes.AsSpan(length));
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Checks a token against the current key and any previous ones (rotation).</summary>
    public static LinkTokenCheck Check(string? token, IReadOnlyList<byte[]> keys)
    {
        if (Decode(token) is not { } bytes)
        {
            return new LinkTokenCheck(LinkTokenState.Malformed, null);
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
            return new LinkTokenCheck(LinkTokenState.Forged, null);
        }

        return Read(signed) is { } claims
            ? new LinkTokenCheck(LinkTokenState.Valid, claims)
            : new LinkTokenCheck(LinkTokenState.Malformed, null);
    }

    /// <summary>
    /// The claims of a token WITHOUT checking its signature: only for showing what a stored render links to (its own
    /// tokens, e.g. the per-link click counts of a message). Never use it to act on a token from a request.
    /// </summary>
    public static LinkClaims? ReadUnverified(string? token) =>
        Decode(token) is { } bytes ? Read(bytes.AsSpan(0, bytes.Length - MacBytes)) : null;

    private static byte[]? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength || !Base64Url.IsValid(token.AsSpan(), out var decodedLength)
            || decodedLength < MinBytes)
        {
            return null;
        }

        var bytes = Base64Url.DecodeFromChars(token.AsSpan());
        // The tenant's length byte must leave room for at least one byte of target before the MAC.
        return bytes[FixedBytes] is > 0 and var tenant && FixedBytes + 1 + tenant < bytes.Length - MacBytes ? bytes : null;
    }

    private static LinkClaims? Read(ReadOnlySpan<byte> signed)
    {
        if (signed[0] != Version)
        {
            return null;
        }

        var message = new Guid(signed.Slice(1, 16), bigEndian: true);
        var index = BinaryPrimitives.ReadUInt16BigEndian(signed[17..]);
        var tenantLength = signed[FixedBytes];
        try
        {
            var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
            var tenant = strict.GetString(signed.Slice(FixedBytes + 1, tenantLength));
            var target = strict.GetString(signed[(FixedBytes + 1 + tenantLength)..]);
            return new LinkClaims(tenant, message, index, target);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static void Mac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, data, full);
        full[..MacBytes].CopyTo(destination);
    }
}
