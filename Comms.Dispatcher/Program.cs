using Comms.Dispatcher.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddBasicServiceDefaults();
builder.AddDispatcher();

var app = builder.Build();

app.MapDefaultEndpoints();

await app.RunAsync();
