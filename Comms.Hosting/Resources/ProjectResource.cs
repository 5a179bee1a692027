namespace Comms.Hosting;

/// <summary>
/// A .NET project, launched from its build output as
/// <c>dotnet &lt;projectDir&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/&lt;AssemblyName&gt;.dll</c> in the project directory.
/// </summary>
public sealed class ProjectResource : ProcessResource
{
    public ProjectResource(string name, IProjectMetadata project)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(project);
        Project = project;
    }

    public IProjectMetadata Project { get; }

    public string ProjectDirectory => Path.GetDirectoryName(Path.GetFullPath(Project.ProjectPath))!;

    /// <summary>The csproj file name without extension.</summary>
    public string AssemblyName => Path.GetFileNameWithoutExtension(Project.ProjectPath);

    public string TargetFramework { get; set; } = "net10.0";

    /// <summary>The dll that is run; resolved when the application is prepared.</summary>
    public string? AssemblyPath { get; private set; }

    protected internal override async Task PrepareAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        await base.PrepareAsync(context, cancellationToken);
        if (!File.Exists(Project.ProjectPath))
        {
            throw new DistributedApplicationException($"{Name}: project file '{Project.ProjectPath}' not found.");
        }

        AssemblyPath = Path.Combine(ProjectDirectory, "bin", context.BuildConfiguration, TargetFramework, AssemblyName + ".dll");
        if (!File.Exists(AssemblyPath))
        {
            throw new DistributedApplicationException(
                $"{Name}: '{AssemblyPath}' not found. Build first: dotnet build -c {context.BuildConfiguration} (in {context.RepositoryRoot}).");
        }
    }

    protected override void AddDefaultEnvironment(ResourceContext context, IDictionary<string, string?> environment)
    {
        environment["ASPNETCORE_URLS"] = HttpUrl; // null removes an inherited value for projects without an endpoint
        environment["ASPNETCORE_ENVIRONMENT"] = context.EnvironmentName;
        environment["DOTNET_ENVIRONMENT"] = context.EnvironmentName;
    }

    protected override ChildProcessOptions CreateStartOptions(ResourceContext context, IReadOnlyDictionary<string, string?> environment) =>
        new()
        {
            FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet",
            Arguments = [AssemblyPath!, .. Args],
            WorkingDirectory = ProjectDirectory,
            Environment = environment,
        };
}
