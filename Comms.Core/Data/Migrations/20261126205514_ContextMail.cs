using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class ContextMail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "context_mail",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    context_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    sender_kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    sender_external_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    sender_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    scope = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    system_event = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    subject = table.Column<string>(type: "text", nullable: false),
                    body = table.Column<string>(type: "text", nullable: false),
                    language = table.Column<string>(type: "character varying(35)", maxLength: 35, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_context_mail", x => x.id);
                    table.ForeignKey(
                        name: "fk_context_mail_contexts_context_id",
                        column: x => x.context_id,
                        principalTable: "contexts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "context_mail_recipients",
                columns: table => new
                {
                    mail_id = table.Column<Guid>(type: "uuid", nullable: false),
                    external_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    tenant_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    context_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name_snapshot = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    read_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    deleted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_context_mail_recipients", x => new { x.mail_id, x.external_id });
                    table.ForeignKey(
                        name: "fk_context_mail_recipients_context_mail_mail_id",
                        column: x => x.mail_id,
                        principalTable: "context_mail",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "context_mail_translations",
                columns: table => new
                {
                    mail_id = table.Column<Guid>(type: "uuid", nullable: false),
                    language = table.Column<string>(type: "character varying(35)", maxLength: 35, nullable: false),
                    subject = table.Column<string>(type: "text", nullable: false),
                    body = table.Column<string>(type: "text", nullable: false),
                    provider = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_context_mail_translations", x => new { x.mail_id, x.language });
                    table.ForeignKey(
                        name: "fk_context_mail_translations_context_mail_mail_id",
                        column: x => x.mail_id,
                        principalTable: "context_mail",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_context_mail_context_id",
                table: "context_mail",
                column: "context_id");

            migrationBuilder.CreateIndex(
                name: "ix_context_mail_tenant_id_context_id_created_at",
                table: "context_mail",
                columns: new[] { "tenant_id", "context_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_context_mail_recipients_list",
                table: "context_mail_recipients",
                columns: new[] { "tenant_id", "external_id", "context_id", "created_at", "mail_id" },
                descending: new[] { false, false, false, true, true },
                filter: "deleted_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_context_mail_recipients_unread",
                table: "context_mail_recipients",
                columns: new[] { "tenant_id", "external_id", "context_id" },
                filter: "read_at IS NULL AND deleted_at IS NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "kind" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "context_mail_recipients");

            migrationBuilder.DropTable(
                name: "context_mail_translations");

            migrationBuilder.DropTable(
                name: "context_mail");
        }
    }
}
