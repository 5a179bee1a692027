using Comms.AppHost;

var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
{
    Args = args,
    DisableDashboard = !AppHostSettings.DashboardEnabled(args), // Comms__AppHost__Dashboard=false: benchmarks, CI
});
var settings = AppHostSettings.From(builder);

var db = builder.AddCommsDatabase(settings);
var redis = builder.AddCommsRedis(settings);
var mail = builder.AddCommsMail(settings);

var migrator = builder.AddProject<Projects.Comms_Api>("migrator", launchProfileName: null).WithArgs("migrate")
    .WithCommsDefaults(builder).Uses(db).WithReference(redis);

// The API and the Web listen on their ports themselves (one replica each; no proxy hop on every request).
var api = builder.AddProject<Projects.Comms_Api>("api", launchProfileName: null).WithHttpEndpoint(port: settings.Port("api"), isProxied: false)
    .WithCommsDefaults(builder).Uses(db).Uses(redis).Uses(mail).WaitForCompletion(migrator).WithHttpHealthCheck("/health");

builder.AddProject<Projects.Comms_Dispatcher>("dispatcher", launchProfileName: null).WithHttpEndpoint(port: settings.Port("dispatcher"))
    .WithReplicas(settings.DispatcherReplicas).WithRoutingLoopsSplit(settings.DispatcherReplicas)
    .WithCommsDefaults(builder).Uses(db).Uses(redis).Uses(mail).WaitForCompletion(migrator).WithHttpHealthCheck("/health");

builder.AddProject<Projects.Comms_Web>("web", launchProfileName: null).WithHttpEndpoint(port: settings.Port("web"), isProxied: false)
    .WithCommsDefaults(builder).Uses(db).Uses(redis).WithReference(api).WaitFor(api).WithHttpHealthCheck("/health")
    .WithHomePageLinks(mail, settings);

builder.Services.AddSingleton(settings).AddHostedService<RunningBanner>();
builder.Build().Run();
