namespace Comms.Hosting;

/// <summary>Something the app host runs or points to: a server, a database, a project, an executable.</summary>
public interface IResource
{
    /// <summary>Unique name; also the key of injected settings (<c>ConnectionStrings__&lt;name&gt;</c>).</summary>
    string Name { get; }
}

/// <summary>A resource others reference through <c>ConnectionStrings__&lt;name&gt;</c>.</summary>
public interface IResourceWithConnectionString : IResource
{
    /// <summary>The connection string; known once the application has been prepared (during StartAsync).</summary>
    string? ConnectionString { get; }
}

/// <summary>A resource others reference through service discovery (<c>services__&lt;name&gt;__http__0</c>).</summary>
public interface IResourceWithServiceDiscovery : IResource
{
    /// <summary>Base URL (<c>http://127.0.0.1:&lt;port&gt;</c>, no trailing slash) once ports are resolved; null without an endpoint.</summary>
    string? HttpUrl { get; }
}
