using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class SmsCategoriesAndPhoneIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string[]>(
                name: "sms_categories",
                table: "tenants",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{security}'::text[]");

            migrationBuilder.CreateIndex(
                name: "ix_recipients_phone",
                table: "recipients",
                column: "phone");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_recipients_phone",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "sms_categories",
                table: "tenants");
        }
    }
}
