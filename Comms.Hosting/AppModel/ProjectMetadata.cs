namespace Comms.Hosting;

/// <summary>Identifies a .NET project for <c>AddProject</c> (Aspire's generated <c>Projects.*</c> types implement the same idea).</summary>
public interface IProjectMetadata
{
    /// <summary>Full path of the .csproj file.</summary>
    string ProjectPath { get; }
}

/// <summary>A project by path.</summary>
public sealed record ProjectMetadata(string ProjectPath) : IProjectMetadata
{
    /// <summary>A project by its path relative to the repository root (the folder containing Comms.sln).</summary>
    /// <example><c>ProjectMetadata.FromRepo("Comms.Api/Comms.Api.csproj")</c></example>
    public static ProjectMetadata FromRepo(string relativePath, string? startDirectory = null) =>
        new(Path.GetFullPath(Path.Combine(RepositoryRoot.Find(startDirectory), relativePath)));
}
