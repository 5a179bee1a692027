namespace Comms.Api.Input;

/// <summary>
/// Parses an enumeration from a query parameter by its names only: <c>Enum.TryParse</c> would also take
/// <c>-1</c>, <c>5</c> or <c>unread,read</c> and hand back a value that names nothing (or another member).
/// </summary>
public static class StrictEnum
{
    public static bool TryParse<T>(string? value, out T result) where T : struct, Enum
    {
        var name = value is null ? null : Enum.GetNames<T>().FirstOrDefault(n => n.Equals(value, StringComparison.OrdinalIgnoreCase));
        result = name is null ? default : Enum.Parse<T>(name);
        return name is not null;
    }

    /// <summary>The names a parameter accepts, lower-case, for messages.</summary>
    public static string Names<T>() where T : struct, Enum => string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
}
