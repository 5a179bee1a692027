using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class MessageAttempts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "provider",
                table: "messages",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            // Partitioned by month on created_at (its message's creation time) like messages, with the same partitions: the
            // retention job makes the next months' and drops or deletes expired ones (PartitionedDeliveryRecords, RetentionStore).
            migrationBuilder.Sql("""
                CREATE TABLE message_attempts (
                    id bigint GENERATED ALWAYS AS IDENTITY,
                    message_id uuid NOT NULL,
                    tenant_id text NOT NULL,
                    created_at timestamp with time zone NOT NULL,
                    attempt integer NOT NULL,
                    provider character varying(32) NOT NULL,
                    outcome character varying(16) NOT NULL,
                    started_at timestamp with time zone NOT NULL,
                    finished_at timestamp with time zone NOT NULL,
                    status_code integer,
                    response character varying(200),
                    provider_message_id character varying(256),
                    error_code character varying(64),
                    CONSTRAINT pk_message_attempts PRIMARY KEY (id, created_at)
                ) PARTITION BY RANGE (created_at);
                CREATE TABLE message_attempts_default PARTITION OF message_attempts DEFAULT;
                CREATE INDEX ix_message_attempts_message_id_started_at ON message_attempts (message_id, started_at);
                CREATE INDEX ix_message_attempts_tenant_id_created_at ON message_attempts (tenant_id, created_at);

                DO $$
                DECLARE
                    p record;
                BEGIN
                    FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                              WHERE i.inhparent = 'messages'::regclass AND c.relname ~ '^messages_p[0-9]{4}_[0-9]{2}$'
                    LOOP
                        PERFORM comms_month_partition('message_attempts', to_date(substr(p.relname, 11), 'YYYY_MM'));
                    END LOOP;
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE message_attempts;");

            migrationBuilder.DropColumn(
                name: "provider",
                table: "messages");
        }
    }
}
