using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class InboxThreadsAndOrderedUnread : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_inbox_items_unread",
                table: "inbox_items");

            migrationBuilder.AddColumn<string>(
                name: "thread_key",
                table: "routing_rules",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_inbox_items_unread",
                table: "inbox_items",
                columns: new[] { "recipient_id", "created_at", "id" },
                descending: new[] { false, true, true },
                filter: "read_at IS NULL AND archived_at IS NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "seen_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_inbox_items_unread",
                table: "inbox_items");

            migrationBuilder.DropColumn(
                name: "thread_key",
                table: "routing_rules");

            migrationBuilder.CreateIndex(
                name: "ix_inbox_items_unread",
                table: "inbox_items",
                column: "recipient_id",
                filter: "read_at IS NULL AND archived_at IS NULL");
        }
    }
}
