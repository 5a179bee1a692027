extern alias api;

using System.Collections.Concurrent;
using System.Net.Http.Json;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Comms.IntegrationTests.Templates;

/// <summary>
/// Races the code handles on purpose — ten concurrent saves of a draft that does not exist yet, where all but
/// one insert hit the unique index and are retried as updates — succeed, and leave no error in the log.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class ExpectedRaceLoggingTests(CommsFixture fixture)
{
    [Fact]
    public async Task Concurrent_draft_saves_all_succeed_and_log_no_error()
    {
        var tenant = await TestTenant.CreateAsync(fixture);
        var log = new CapturingLoggerProvider();
        var settings = fixture.Settings.Where(s => !s.Key.StartsWith("Logging:", StringComparison.Ordinal))
            .Append(new("Logging:LogLevel:Default", "Information")).ToDictionary(s => s.Key, s => s.Value);
        await using var service = new ServiceFactory<api::Program>(settings, services => services.AddSingleton<ILoggerProvider>(log));
        var http = service.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", tenant.ApiKey);

        var saves = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => http.PutAsJsonAsync(
            "/v1/templates/race.draft/email/en-US/draft", new { category = "account", content = new { subject = $"Hi {i}", text = "Hi" } })));

        Assert.All(saves, response => Assert.True(response.IsSuccessStatusCode, response.StatusCode.ToString()));
        Assert.Contains(saves, response => response.StatusCode == System.Net.HttpStatusCode.Created);
        Assert.Empty(log.Errors);
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Errors);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> errors) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error)
                {
                    errors.Enqueue($"{category}: {formatter(state, exception)}");
                }
            }
        }
    }
}
