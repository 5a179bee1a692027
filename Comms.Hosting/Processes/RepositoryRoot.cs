namespace Comms.Hosting;

/// <summary>Locates the repository root: the nearest folder (walking up) that contains <c>Comms.sln</c>.</summary>
public static class RepositoryRoot
{
    public const string MarkerFile = "Comms.sln";

    /// <summary>Walks up from <paramref name="startDirectory"/> (default <see cref="AppContext.BaseDirectory"/>).</summary>
    /// <exception cref="DirectoryNotFoundException">No parent folder contains <c>Comms.sln</c>.</exception>
    public static string Find(string? startDirectory = null) =>
        TryFind(startDirectory) ?? throw new DirectoryNotFoundException(
            $"Could not find the repository root ({MarkerFile}) above '{startDirectory ?? AppContext.BaseDirectory}'.");

    public static string? TryFind(string? startDirectory = null)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(startDirectory ?? AppContext.BaseDirectory));
             dir is not null;
             dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, MarkerFile)))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
