using Comms.Dispatcher.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddBasicServiceDefaults();
builder.AddDispatcher();

var app = builder.Build();

app.MapDefaultEndpoints();

await app.RunAsync();

/// <summary>The entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c> in tests.</summary>
public partial class Program;
