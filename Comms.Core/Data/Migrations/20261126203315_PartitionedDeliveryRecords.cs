using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class PartitionedDeliveryRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_message_renders_messages_message_id",
                table: "message_renders");

            migrationBuilder.DropIndex(
                name: "ux_messages_idempotency",
                table: "messages");

            migrationBuilder.AddColumn<int>(
                name: "retention_days",
                table: "tenants",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "message_keys",
                columns: table => new
                {
                    template_name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    template_version = table.Column<int>(type: "integer", nullable: false),
                    recipient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    cause_ref = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    channel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_message_keys", x => new { x.template_name, x.template_version, x.recipient_id, x.cause_ref, x.channel });
                });

            migrationBuilder.CreateIndex(
                name: "ix_message_keys_tenant_id_created_at",
                table: "message_keys",
                columns: new[] { "tenant_id", "created_at" });

            migrationBuilder.Sql(PartitionSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(PartitionSql.Down);

            migrationBuilder.DropTable(
                name: "message_keys");

            migrationBuilder.DropColumn(
                name: "retention_days",
                table: "tenants");
        }
    }
}
