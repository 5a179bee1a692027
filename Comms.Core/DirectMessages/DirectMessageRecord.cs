namespace Comms.Core.DirectMessages;

/// <summary>
/// One direct message by an operator to a user (SPEC S6, issue 12): a test send to the operator themself
/// (<see cref="DirectMessageKinds.TestSend"/>, which unlocks the real send of the same subject and body for 30 minutes)
/// or a real send (<see cref="DirectMessageKinds.Sent"/>, counted against 5 per operator per user per 24 hours).
/// The message text itself is not stored: only a hash of subject and body.
/// </summary>
public sealed class DirectMessageRecord
{
    public Guid Id { get; set; }
    public required string TenantId { get; set; }
    public Guid OperatorId { get; set; }
    public Guid RecipientId { get; set; }
    public required string Kind { get; set; }

    /// <summary>Hex SHA-256 of the subject and body (<see cref="DirectMessageService.ContentHash"/>).</summary>
    public required string ContentHash { get; set; }

    public DateTimeOffset SentAt { get; set; }
}

public static class DirectMessageKinds
{
    public const string TestSend = "test_send";
    public const string Sent = "sent";
}
