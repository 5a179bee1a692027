using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class FailureIsolationAndLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_digests_open_flush",
                table: "digests");

            migrationBuilder.AddColumn<long>(
                name: "catalog_version",
                table: "tenants",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<Guid>(
                name: "claim_token",
                table: "messages",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "failed_at",
                table: "messages",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "claim_token",
                table: "events",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "failed_at",
                table: "events",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "attempts",
                table: "digests",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<Guid>(
                name: "claim_token",
                table: "digests",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "failed_at",
                table: "digests",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "last_error",
                table: "digests",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "lease_owner",
                table: "digests",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "lease_until",
                table: "digests",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_messages_leased",
                table: "messages",
                columns: new[] { "channel", "lease_until" },
                filter: "status = 'queued' AND lease_until IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_events_leased",
                table: "events",
                column: "lease_until",
                filter: "status = 'pending' AND lease_until IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_digests_due_flush",
                table: "digests",
                column: "flush_at",
                filter: "status IN ('open', 'flushing')");

            migrationBuilder.CreateIndex(
                name: "ix_digests_leased",
                table: "digests",
                column: "lease_until",
                filter: "lease_until IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_digest_entries_digest_id_id",
                table: "digest_entries",
                columns: new[] { "digest_id", "id" });

            // The catalog version: bumped in the same transaction as every write to a tenant's routing rules,
            // templates and categories, and to its own settings, so caches can check cheaply that they are current.
            migrationBuilder.Sql("""
                CREATE FUNCTION comms_bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        UPDATE tenants SET catalog_version = catalog_version + 1 WHERE id = NEW.tenant_id;
                    ELSIF TG_OP = 'DELETE' THEN
                        UPDATE tenants SET catalog_version = catalog_version + 1 WHERE id = OLD.tenant_id;
                    ELSE
                        UPDATE tenants SET catalog_version = catalog_version + 1 WHERE id IN (OLD.tenant_id, NEW.tenant_id);
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER routing_rules_catalog_version AFTER INSERT OR UPDATE OR DELETE ON routing_rules
                    FOR EACH ROW EXECUTE FUNCTION comms_bump_catalog_version();
                CREATE TRIGGER templates_catalog_version AFTER INSERT OR UPDATE OR DELETE ON templates
                    FOR EACH ROW EXECUTE FUNCTION comms_bump_catalog_version();
                CREATE TRIGGER categories_catalog_version AFTER INSERT OR UPDATE OR DELETE ON categories
                    FOR EACH ROW EXECUTE FUNCTION comms_bump_catalog_version();

                CREATE FUNCTION comms_bump_own_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.catalog_version = OLD.catalog_version AND NEW IS DISTINCT FROM OLD THEN
                        NEW.catalog_version := OLD.catalog_version + 1;
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER tenants_catalog_version BEFORE UPDATE ON tenants
                    FOR EACH ROW EXECUTE FUNCTION comms_bump_own_catalog_version();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS routing_rules_catalog_version ON routing_rules;
                DROP TRIGGER IF EXISTS templates_catalog_version ON templates;
                DROP TRIGGER IF EXISTS categories_catalog_version ON categories;
                DROP TRIGGER IF EXISTS tenants_catalog_version ON tenants;
                DROP FUNCTION IF EXISTS comms_bump_catalog_version();
                DROP FUNCTION IF EXISTS comms_bump_own_catalog_version();
                """);

            migrationBuilder.DropIndex(
                name: "ix_messages_leased",
                table: "messages");

            migrationBuilder.DropIndex(
                name: "ix_events_leased",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ix_digests_due_flush",
                table: "digests");

            migrationBuilder.DropIndex(
                name: "ix_digests_leased",
                table: "digests");

            migrationBuilder.DropIndex(
                name: "ix_digest_entries_digest_id_id",
                table: "digest_entries");

            migrationBuilder.DropColumn(
                name: "catalog_version",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "claim_token",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "failed_at",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "claim_token",
                table: "events");

            migrationBuilder.DropColumn(
                name: "failed_at",
                table: "events");

            migrationBuilder.DropColumn(
                name: "attempts",
                table: "digests");

            migrationBuilder.DropColumn(
                name: "claim_token",
                table: "digests");

            migrationBuilder.DropColumn(
                name: "failed_at",
                table: "digests");

            migrationBuilder.DropColumn(
                name: "last_error",
                table: "digests");

            migrationBuilder.DropColumn(
                name: "lease_owner",
                table: "digests");

            migrationBuilder.DropColumn(
                name: "lease_until",
                table: "digests");

            migrationBuilder.CreateIndex(
                name: "ix_digests_open_flush",
                table: "digests",
                column: "flush_at",
                filter: "status = 'open'");
        }
    }
}
