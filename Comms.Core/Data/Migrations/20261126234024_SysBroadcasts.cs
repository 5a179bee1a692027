using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class SysBroadcasts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sys_broadcasts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    audience = table.Column<string>(type: "jsonb", nullable: false),
                    channels = table.Column<string[]>(type: "text[]", nullable: false),
                    content = table.Column<string>(type: "jsonb", nullable: false),
                    banner_kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    banner_severity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    banner_ends_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    event_ids = table.Column<Guid[]>(type: "uuid[]", nullable: false),
                    banner_activation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_by = table.Column<string>(type: "text", nullable: false),
                    sent_by = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    send_started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    paused_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    cancelled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sys_broadcasts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sys_broadcast_test_sends",
                columns: table => new
                {
                    broadcast_id = table.Column<Guid>(type: "uuid", nullable: false),
                    operator_id = table.Column<Guid>(type: "uuid", nullable: false),
                    test_sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sys_broadcast_test_sends", x => new { x.broadcast_id, x.operator_id });
                    table.ForeignKey(
                        name: "fk_sys_broadcast_test_sends_sys_broadcasts_broadcast_id",
                        column: x => x.broadcast_id,
                        principalTable: "sys_broadcasts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_sys_broadcasts_created_at",
                table: "sys_broadcasts",
                column: "created_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sys_broadcast_test_sends");

            migrationBuilder.DropTable(
                name: "sys_broadcasts");
        }
    }
}
