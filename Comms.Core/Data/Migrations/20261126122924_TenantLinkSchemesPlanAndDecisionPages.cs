using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class TenantLinkSchemesPlanAndDecisionPages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_decisions_event_id",
                table: "decisions");

            migrationBuilder.AddColumn<string[]>(
                name: "allowed_link_schemes",
                table: "tenants",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.AddColumn<string>(
                name: "plan",
                table: "tenants",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_decisions_event_id_id",
                table: "decisions",
                columns: new[] { "event_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_decisions_event_id_id",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "allowed_link_schemes",
                table: "tenants");

            migrationBuilder.DropColumn(
                name: "plan",
                table: "tenants");

            migrationBuilder.CreateIndex(
                name: "ix_decisions_event_id",
                table: "decisions",
                column: "event_id");
        }
    }
}
