using Comms.Core.Inbox;

namespace Comms.Core.Tests;

public sealed class InboxCursorTests
{
    [Fact]
    public void A_cursor_round_trips_time_and_id()
    {
        var at = new DateTimeOffset(2026, 11, 23, 12, 0, 0, 123, TimeSpan.Zero).AddTicks(4560);
        var id = Guid.CreateVersion7();

        var cursor = InboxCursor.Encode(at, id);

        Assert.True(InboxCursor.TryDecode(cursor, out var decodedAt, out var decodedId));
        Assert.Equal(at, decodedAt);
        Assert.Equal(id, decodedId);
        Assert.DoesNotContain('/', cursor);
        Assert.DoesNotContain('+', cursor);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-cursor")]
    [InlineData("////////////////////////////////")]
    public void Garbage_is_not_a_cursor(string? cursor)
    {
        Assert.False(InboxCursor.TryDecode(cursor, out _, out _));
    }

    [Fact]
    public void Truncation_to_microseconds_matches_what_PostgreSQL_keeps()
    {
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234567);

        Assert.Equal(at.AddTicks(-7), InboxWriter.TruncateToMicroseconds(at));
    }
}
