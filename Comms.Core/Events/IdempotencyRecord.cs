namespace Comms.Core.Events;

/// <summary>The first response to a request that carried an <c>Idempotency-Key</c>, kept 24 h.</summary>
public sealed class IdempotencyRecord
{
    public required string TenantId { get; set; }
    public required string Key { get; set; }
    public required string RequestHash { get; set; }
    public int StatusCode { get; set; }
    public required string ResponseBody { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
