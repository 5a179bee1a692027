using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Comms.Core.Recipients;

/// <summary>Recognises a lost insert race (a unique index violation), after which an upsert retries as an update.</summary>
internal static class UniqueViolation
{
    public static bool Is(DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
