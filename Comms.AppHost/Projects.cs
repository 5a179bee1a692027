using Comms.Hosting;

/// <summary>The service projects the app host runs (what Aspire generates as <c>Projects.*</c>).</summary>
internal static class Projects
{
    public static readonly IProjectMetadata Comms_Api = ProjectMetadata.FromRepo("Comms.Api/Comms.Api.csproj");
    public static readonly IProjectMetadata Comms_Dispatcher = ProjectMetadata.FromRepo("Comms.Dispatcher/Comms.Dispatcher.csproj");
    public static readonly IProjectMetadata Comms_Web = ProjectMetadata.FromRepo("Comms.Web/Comms.Web.csproj");
}
