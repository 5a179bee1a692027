namespace Comms.Hosting;

/// <summary>Adds the resource types this library knows to a <see cref="DistributedApplicationBuilder"/>.</summary>
public static class HostingBuilderExtensions
{
    /// <summary>PostgreSQL in <c>&lt;DataDirectory&gt;/&lt;name&gt;</c>; port override key <c>Ports:&lt;name&gt;</c>.</summary>
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this DistributedApplicationBuilder builder, string name, int? port = null) =>
        builder.AddResource(new PostgresServerResource(name, port));

    /// <summary>A database (created if missing); <c>ConnectionStrings:&lt;name&gt;</c> in configuration makes it external.</summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null) =>
        builder.ApplicationBuilder.AddResource(new PostgresDatabaseResource(name, databaseName ?? name, builder.Resource));

    /// <summary>redis-server; port override key <c>Ports:&lt;name&gt;</c>.</summary>
    public static IResourceBuilder<RedisResource> AddRedis(this DistributedApplicationBuilder builder, string name, int? port = null) =>
        builder.AddResource(new RedisResource(name, port));

    /// <summary>MailDev; port override keys <c>Ports:&lt;name&gt;-smtp</c> and <c>Ports:&lt;name&gt;-http</c>.</summary>
    public static IResourceBuilder<MailDevResource> AddMailDev(
        this DistributedApplicationBuilder builder, string name, int? httpPort = null, int? smtpPort = null) =>
        builder.AddResource(new MailDevResource(name, httpPort, smtpPort));

    public static IResourceBuilder<ProjectResource> AddProject(this DistributedApplicationBuilder builder, string name, IProjectMetadata project) =>
        builder.AddResource(new ProjectResource(name, project));

    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this DistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddResource(new ProjectResource(name, new TProject()));

    /// <summary>A project by csproj path; a relative path is resolved against the repository root.</summary>
    public static IResourceBuilder<ProjectResource> AddProject(this DistributedApplicationBuilder builder, string name, string projectPath) =>
        builder.AddResource(new ProjectResource(name, new ProjectMetadata(Path.GetFullPath(projectPath, builder.RepositoryRoot))));

    /// <summary>Any program; <paramref name="workingDirectory"/> relative to the repository root.</summary>
    public static IResourceBuilder<ExecutableResource> AddExecutable(
        this DistributedApplicationBuilder builder, string name, string command, string workingDirectory, params string[] args) =>
        builder.AddResource(new ExecutableResource(name, command, Path.GetFullPath(workingDirectory, builder.RepositoryRoot), args));
}
