using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Comms.Core.Data.Migrations
{
    /// <summary>
    /// The <c>messages_idempotency</c> trigger stands aside while the session setting <c>comms.message_keys</c> is
    /// <c>claimed</c>: the router then claims the idempotency keys in <c>message_keys</c> itself, set-based, in the same
    /// statement that inserts the messages (<c>RoutingCommands.Insert</c>) — the same keys, the same skipping of repeats,
    /// without a PL/pgSQL call and a single-row insert per message. Every other writer keeps the trigger.
    /// </summary>
    public partial class SetBasedMessageKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER messages_idempotency ON messages;
                CREATE TRIGGER messages_idempotency BEFORE INSERT ON messages
                    FOR EACH ROW WHEN (current_setting('comms.message_keys', true) IS DISTINCT FROM 'claimed')
                    EXECUTE FUNCTION messages_idempotency();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER messages_idempotency ON messages;
                CREATE TRIGGER messages_idempotency BEFORE INSERT ON messages
                    FOR EACH ROW EXECUTE FUNCTION messages_idempotency();
                """);
        }
    }
}
