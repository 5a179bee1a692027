using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Comms.IntegrationTests.Infrastructure;

/// <summary>Hosts one Comms service in-process, configured the way the app host would configure it.</summary>
public class ServiceFactory<TEntryPoint>(
    IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (typeof(TEntryPoint).Assembly.GetName().Name == "Comms.Api")
        {
            // Every answer of every API host is checked against the OpenAPI document (DocumentedAnswersTests).
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, AnswerRecorder>());
        }

        if (configureServices is not null)
        {
            builder.ConfigureTestServices(configureServices);
        }
    }
}
