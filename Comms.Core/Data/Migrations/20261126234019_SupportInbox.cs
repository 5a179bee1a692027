using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class SupportInbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sys_support_inbox_threads",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    subject = table.Column<string>(type: "character varying(998)", maxLength: 998, nullable: false),
                    counterpart = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    assigned_operator_id = table.Column<Guid>(type: "uuid", nullable: true),
                    reply_token = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    related_to = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_activity_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sys_support_inbox_threads", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sys_support_inbox_messages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    thread_id = table.Column<Guid>(type: "uuid", nullable: false),
                    direction = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    from_address = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    to_address = table.Column<string>(type: "character varying(4096)", maxLength: 4096, nullable: true),
                    subject = table.Column<string>(type: "character varying(998)", maxLength: 998, nullable: false),
                    text = table.Column<string>(type: "text", nullable: true),
                    html = table.Column<string>(type: "text", nullable: true),
                    headers = table.Column<string>(type: "text", nullable: true),
                    envelope = table.Column<string>(type: "jsonb", nullable: true),
                    charsets = table.Column<string>(type: "jsonb", nullable: true),
                    attachments = table.Column<string>(type: "jsonb", nullable: true),
                    message_id_header = table.Column<string>(type: "character varying(998)", maxLength: 998, nullable: true),
                    in_reply_to = table.Column<string>(type: "character varying(998)", maxLength: 998, nullable: true),
                    references = table.Column<string>(type: "text", nullable: true),
                    operator_id = table.Column<Guid>(type: "uuid", nullable: true),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    not_before = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sys_support_inbox_messages", x => x.id);
                    table.ForeignKey(
                        name: "fk_sys_support_inbox_messages_sys_support_inbox_threads_thread",
                        column: x => x.thread_id,
                        principalTable: "sys_support_inbox_threads",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_sys_support_inbox_messages_message_id_header",
                table: "sys_support_inbox_messages",
                column: "message_id_header",
                filter: "message_id_header IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sys_support_inbox_messages_outbox",
                table: "sys_support_inbox_messages",
                column: "created_at",
                filter: "status IN ('queued', 'sending')");

            migrationBuilder.CreateIndex(
                name: "ix_sys_support_inbox_messages_thread_id_created_at",
                table: "sys_support_inbox_messages",
                columns: new[] { "thread_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_sys_support_inbox_threads_related_to",
                table: "sys_support_inbox_threads",
                column: "related_to",
                filter: "related_to IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_sys_support_inbox_threads_reply_token",
                table: "sys_support_inbox_threads",
                column: "reply_token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sys_support_inbox_threads_status_last_activity_at",
                table: "sys_support_inbox_threads",
                columns: new[] { "status", "last_activity_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sys_support_inbox_messages");

            migrationBuilder.DropTable(
                name: "sys_support_inbox_threads");
        }
    }
}
