using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class FeedbackAuditAndStatusWebhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    tenant_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    actor = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    action = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    target = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    metadata = table.Column<string>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    tenant_id = table.Column<string>(type: "text", nullable: false),
                    endpoint_id = table.Column<Guid>(type: "uuid", nullable: false),
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    event_type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    payload = table.Column<string>(type: "jsonb", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    lease_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_response_code = table.Column<int>(type: "integer", nullable: true),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_webhook_deliveries_webhook_endpoints_endpoint_id",
                        column: x => x.endpoint_id,
                        principalTable: "webhook_endpoints",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_messages_provider_message_id",
                table: "messages",
                column: "provider_message_id",
                filter: "provider_message_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_messages_tenant_id_id",
                table: "messages",
                columns: new[] { "tenant_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_tenant_id_created_at",
                table: "audit_log",
                columns: new[] { "tenant_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_endpoint_id_created_at",
                table: "webhook_deliveries",
                columns: new[] { "endpoint_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_pending",
                table: "webhook_deliveries",
                column: "next_attempt_at",
                filter: "status = 'pending'");

            // The audit log is append-only: UPDATE, DELETE and TRUNCATE are refused by the database itself.
            migrationBuilder.Sql("""
                CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'audit_log is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
                END $$;
                CREATE TRIGGER audit_log_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_log
                    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
                CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
                """);

            // Status webhooks' outbox: each status change of a message to sent, delivered, bounced, complained or failed
            // writes one delivery per enabled endpoint of its tenant subscribed to 'message.<status>', in the same transaction.
            migrationBuilder.Sql("""
                CREATE FUNCTION messages_status_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    event_type text := 'message.' || NEW.status;
                BEGIN
                    IF NEW.status NOT IN ('sent', 'delivered', 'bounced', 'complained', 'failed') THEN
                        RETURN NULL;
                    END IF;
                    INSERT INTO webhook_deliveries (tenant_id, endpoint_id, message_id, event_type, payload, status, attempts, next_attempt_at, created_at)
                    SELECT NEW.tenant_id, e.id, NEW.id, event_type,
                           jsonb_build_object(
                               'type', event_type,
                               'timestamp', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                               'data', jsonb_build_object(
                                   'messageId', NEW.id,
                                   'eventId', NEW.event_id,
                                   'status', NEW.status,
                                   'previousStatus', OLD.status,
                                   'channel', NEW.channel,
                                   'category', NEW.category,
                                   'recipient', jsonb_build_object('externalId', (SELECT r.external_id FROM recipients r WHERE r.id = NEW.recipient_id)),
                                   'template', jsonb_build_object('name', NEW.template_name, 'version', NEW.template_version),
                                   'attempts', NEW.attempts,
                                   'providerMessageId', NEW.provider_message_id,
                                   'error', CASE WHEN NEW.status IN ('failed', 'bounced', 'complained') THEN NEW.last_error END)),
                           'pending', 0, clock_timestamp(), clock_timestamp()
                      FROM webhook_endpoints e
                     WHERE e.tenant_id = NEW.tenant_id AND e.enabled AND event_type = ANY(e.event_types);
                    RETURN NULL;
                END $$;
                CREATE TRIGGER messages_status_webhooks AFTER UPDATE OF status ON messages
                    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION messages_status_webhooks();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS messages_status_webhooks ON messages;
                DROP FUNCTION IF EXISTS messages_status_webhooks();
                DROP TRIGGER IF EXISTS audit_log_no_update_or_delete ON audit_log;
                DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
                DROP FUNCTION IF EXISTS audit_log_append_only();
                """);
            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropIndex(
                name: "ix_messages_provider_message_id",
                table: "messages");

            migrationBuilder.DropIndex(
                name: "ix_messages_tenant_id_id",
                table: "messages");
        }
    }
}
