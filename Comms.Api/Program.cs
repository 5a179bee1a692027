using Comms.Api.Contexts;
using Comms.Api.Extensions;
using Comms.Api.Input;
using Comms.Api.RateLimits;
using Comms.Api.OpenApi;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

if (MigrateCommand.IsRequested(args))
{
    return await MigrateCommand.RunAsync(app);
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseEventsMessagesAlias();
app.UseRouting();
app.UseCors();
app.UseLiteralPathSegments();
app.UseAuthentication();
app.UseAuthorization();
app.UseCommsRateLimits();
app.UseInputGuards();

app.MapCommsApiReference();
app.MapCommsApi();
app.MapDefaultEndpoints();

await app.RunAsync();
return 0;

/// <summary>The entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c> in tests.</summary>
public partial class Program;
