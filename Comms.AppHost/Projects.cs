using Comms.Hosting;

#pragma warning disable CA1707 // Names follow Aspire's generated Projects.* classes.

/// <summary>The service projects the app host runs (what Aspire generates as <c>Projects.*</c>).</summary>
internal static class Projects
{
    public sealed class Comms_Api : IProjectMetadata
    {
        public string ProjectPath { get; } = ProjectMetadata.FromRepo("Comms.Api/Comms.Api.csproj").ProjectPath;
    }

    public sealed class Comms_Dispatcher : IProjectMetadata
    {
        public string ProjectPath { get; } = ProjectMetadata.FromRepo("Comms.Dispatcher/Comms.Dispatcher.csproj").ProjectPath;
    }

    public sealed class Comms_Web : IProjectMetadata
    {
        public string ProjectPath { get; } = ProjectMetadata.FromRepo("Comms.Web/Comms.Web.csproj").ProjectPath;
    }
}
