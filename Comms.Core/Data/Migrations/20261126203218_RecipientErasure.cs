using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class RecipientErasure : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "erased_at",
                table: "recipients",
                type: "timestamp with time zone",
                nullable: true);

            // ---- Erasure through the immutability triggers (SPEC S11) -------------------------------------------------------
            // One self-contained block (to reconcile with the partitioning of the big tables, which re-creates the triggers):
            // the triggers keep calling comms_reject_update(); it now lets exactly the erasure's tombstoning update through:
            // inside a transaction that names the row's recipient in comms.erasure (SET LOCAL, see Privacy/RecipientErasure),
            // and only when every other column is unchanged and the new values are the tombstones. Anything else is refused.
            // Table names are matched by prefix so that a partition of a table (message_renders_2026_11) is the table.
            migrationBuilder.Sql(ErasureTriggersSql);
        }

        internal const string ErasureTriggersSql = """
            CREATE OR REPLACE FUNCTION comms_erased_external_id(external_id text) RETURNS text LANGUAGE sql IMMUTABLE AS
            $$ SELECT 'erased:' || encode(sha256(convert_to(external_id, 'UTF8')), 'hex') $$;

            CREATE OR REPLACE FUNCTION comms_erasure_target() RETURNS uuid LANGUAGE sql STABLE AS
            $$ SELECT NULLIF(current_setting('comms.erasure', true), '')::uuid $$;

            CREATE OR REPLACE FUNCTION comms_reject_update() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                target uuid := comms_erasure_target();
            BEGIN
                -- Nested IFs: a condition may only name the columns of its own table (PL/pgSQL does not short-circuit).
                IF target IS NOT NULL AND TG_OP = 'UPDATE' THEN
                    IF TG_TABLE_NAME LIKE 'message_renders%' THEN
                        IF (to_jsonb(NEW) - 'content') = (to_jsonb(OLD) - 'content')
                           AND jsonb_typeof(NEW.content) = 'object'
                           AND NOT EXISTS (SELECT 1 FROM jsonb_each(NEW.content) f
                                            WHERE f.value NOT IN ('null'::jsonb, '"[erased]"'::jsonb, '{}'::jsonb, '[]'::jsonb))
                           AND EXISTS (SELECT 1 FROM messages m WHERE m.id = OLD.message_id AND m.recipient_id = target) THEN
                            RETURN NEW;
                        END IF;
                    ELSIF TG_TABLE_NAME LIKE 'decisions%' THEN
                        IF (to_jsonb(NEW) - 'recipient_external_id' - 'detail') = (to_jsonb(OLD) - 'recipient_external_id' - 'detail')
                           AND (NEW.detail IS NULL OR NEW.detail = '[erased]')
                           AND NEW.recipient_external_id IN (OLD.recipient_external_id, comms_erased_external_id(OLD.recipient_external_id))
                           AND (OLD.recipient_id = target
                                OR (OLD.recipient_id IS NULL AND EXISTS (
                                    SELECT 1 FROM recipients r WHERE r.id = target AND r.tenant_id = OLD.tenant_id
                                       AND r.external_id IN (OLD.recipient_external_id, comms_erased_external_id(OLD.recipient_external_id))))) THEN
                            RETURN NEW;
                        END IF;
                    END IF;
                END IF;
                RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
            END $$;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION comms_reject_update() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
                END $$;
                DROP FUNCTION IF EXISTS comms_erasure_target();
                DROP FUNCTION IF EXISTS comms_erased_external_id(text);
                """);
            migrationBuilder.DropColumn(
                name: "erased_at",
                table: "recipients");
        }
    }
}
