using System.Buffers.Binary;

namespace Comms.Core.Inbox;

/// <summary>A place in a user's notification center: the order is (created_at, id).</summary>
public readonly record struct InboxPosition(DateTimeOffset CreatedAt, Guid Id)
{
    /// <summary>Before every item: catching up "after" it returns a user's whole inbox, oldest first.</summary>
    public static readonly InboxPosition Start = new(DateTimeOffset.MinValue, Guid.Empty);

    public string Cursor => InboxCursor.Encode(CreatedAt, Id);
}

/// <summary>An opaque cursor over (created_at, id), the order of the notification center.</summary>
public static class InboxCursor
{
    /// <summary>The cursor of <see cref="InboxPosition.Start"/>.</summary>
    public static string Start => InboxPosition.Start.Cursor;

    public static string Encode(DateTimeOffset createdAt, Guid id)
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(bytes, createdAt.UtcTicks);
        id.TryWriteBytes(bytes[8..]);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryDecode(string? cursor, out InboxPosition position)
    {
        var decoded = TryDecode(cursor, out var createdAt, out var id);
        position = new InboxPosition(createdAt, id);
        return decoded;
    }

    public static bool TryDecode(string? cursor, out DateTimeOffset createdAt, out Guid id)
    {
        createdAt = default;
        id = default;
        if (string.IsNullOrEmpty(cursor) || cursor.Length != 32)
        {
            return false;
        }

        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        Span<byte> bytes = stackalloc byte[24];
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != 24)
        {
            return false;
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        createdAt = new DateTimeOffset(ticks, TimeSpan.Zero);
        id = new Guid(bytes[8..]);
        return true;
    }
}
