using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class TenantEmailProvider : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "email_provider",
                table: "tenants",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "email_provider",
                table: "tenants");
        }
    }
}
