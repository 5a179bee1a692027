using Comms.Core.Messages;
using Comms.Core.Preferences;
using Npgsql;

namespace Comms.Core.Sms;

/// <summary>
/// A phone's SMS consent, as its owner gives or withdraws it by keyword (STOP / START) or as Twilio reports it
/// (error 21610). Applies to every recipient with that phone — in one tenant, or in every tenant when
/// <c>tenantId</c> is null (one Twilio number serves the whole deployment) — in one statement:
/// <list type="bullet">
/// <item>opt-out: SMS off for every category (built-in and the tenant's own) and the phone, SHA-256 hashed, on
/// the tenant's <c>sms</c> suppression list (reason <see cref="StopReason"/>);</item>
/// <item>opt-in: the suppression lifted and SMS on for the categories the tenant allows on SMS (its
/// <c>smsCategories</c>; a user who wants fewer turns them off in the preference center).</item>
/// </list>
/// </summary>
public sealed class SmsConsent(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string StopReason = "sms_stop";

    private const string Targets = """
        targets AS (SELECT id, tenant_id FROM recipients WHERE phone = @phone AND (@tenant::text IS NULL OR tenant_id = @tenant)),
        tenant_ids AS (SELECT tenant_id FROM targets UNION SELECT id FROM tenants WHERE id = @tenant)
        """;

    /// <summary>Withdraws SMS consent; returns how many recipients have the phone.</summary>
    public Task<int> OptOutAsync(string phone, string? tenantId, string reason, CancellationToken cancellationToken) =>
        ExecuteAsync($"""
            WITH {Targets},
            categories_of AS (
                SELECT t.id AS recipient_id, t.tenant_id, b.name FROM targets t CROSS JOIN unnest(@builtins::text[]) AS b(name)
                UNION SELECT t.id, t.tenant_id, c.name FROM targets t JOIN categories c ON c.tenant_id = t.tenant_id),
            switched AS (
                INSERT INTO preferences (tenant_id, recipient_id, channel, category, enabled, updated_at)
                SELECT tenant_id, recipient_id, @channel, name, false, @now FROM categories_of
                ON CONFLICT (recipient_id, channel, category) DO UPDATE SET enabled = false, updated_at = @now),
            suppressed AS (
                INSERT INTO suppressions (tenant_id, channel, address_hash, reason, created_at)
                SELECT tenant_id, @channel, @hash, @reason, @now FROM tenant_ids
                ON CONFLICT (tenant_id, channel, address_hash) DO UPDATE SET reason = @reason)
            SELECT count(*)::int FROM targets
            """, phone, tenantId, reason, cancellationToken);

    /// <summary>Gives SMS consent back; returns how many recipients have the phone.</summary>
    public Task<int> OptInAsync(string phone, string? tenantId, CancellationToken cancellationToken) =>
        ExecuteAsync($"""
            WITH {Targets},
            lifted AS (
                DELETE FROM suppressions WHERE channel = @channel AND address_hash = @hash AND tenant_id IN (SELECT tenant_id FROM tenant_ids)),
            switched AS (
                INSERT INTO preferences (tenant_id, recipient_id, channel, category, enabled, updated_at)
                SELECT t.tenant_id, t.id, @channel, c.name, true, @now
                FROM targets t JOIN tenants tn ON tn.id = t.tenant_id CROSS JOIN LATERAL unnest(tn.sms_categories) AS c(name)
                ON CONFLICT (recipient_id, channel, category) DO UPDATE SET enabled = true, updated_at = @now)
            SELECT count(*)::int FROM targets
            """, phone, tenantId, reason: "", cancellationToken);

    private async Task<int> ExecuteAsync(string sql, string phone, string? tenantId, string reason, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("phone", phone);
        command.Parameters.Add(new NpgsqlParameter<string?>("tenant", NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = tenantId });
        command.Parameters.AddWithValue("builtins", Categories.BuiltIn.Keys.ToArray());
        command.Parameters.AddWithValue("channel", Channel.Sms);
        command.Parameters.AddWithValue("hash", Suppression.Hash(phone));
        command.Parameters.AddWithValue("reason", reason);
        command.Parameters.AddWithValue("now", time.GetUtcNow());
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
