using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class DmMutedAndUnsubscribeLinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string[]>(
                name: "dm_muted_channels",
                table: "recipients",
                type: "text[]",
                nullable: false,
                defaultValue: new string[0]);

            migrationBuilder.AddColumn<string>(
                name: "unsubscribe_url",
                table: "messages",
                type: "character varying(2048)",
                maxLength: 2048,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "dm_muted_channels",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "unsubscribe_url",
                table: "messages");
        }
    }
}
