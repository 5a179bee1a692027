using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class SysBanners : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "banner_templates",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    body = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    link = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    severity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    dismissible = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_banner_templates", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "banner_activations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    template_id = table.Column<Guid>(type: "uuid", nullable: false),
                    starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ends_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    tenants = table.Column<string[]>(type: "text[]", nullable: false),
                    roles = table.Column<string[]>(type: "text[]", nullable: false),
                    start_pushed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    end_pushed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_banner_activations", x => x.id);
                    table.ForeignKey(
                        name: "fk_banner_activations_banner_templates_template_id",
                        column: x => x.template_id,
                        principalTable: "banner_templates",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "banner_dismissals",
                columns: table => new
                {
                    activation_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    external_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    dismissed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_banner_dismissals", x => new { x.activation_id, x.tenant_id, x.external_id });
                    table.ForeignKey(
                        name: "fk_banner_dismissals_banner_activations_activation_id",
                        column: x => x.activation_id,
                        principalTable: "banner_activations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_banner_activations_starts_at",
                table: "banner_activations",
                column: "starts_at");

            migrationBuilder.CreateIndex(
                name: "ix_banner_activations_template_id",
                table: "banner_activations",
                column: "template_id");

            migrationBuilder.CreateIndex(
                name: "ix_banner_dismissals_tenant_id_external_id",
                table: "banner_dismissals",
                columns: new[] { "tenant_id", "external_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "banner_dismissals");

            migrationBuilder.DropTable(
                name: "banner_activations");

            migrationBuilder.DropTable(
                name: "banner_templates");
        }
    }
}
