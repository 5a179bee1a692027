using Comms.Core.Data;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Comms.IntegrationTests.Dispatching;

/// <summary>
/// The services' database sessions run without PostgreSQL's JIT: on young tables the queue's claim looked costly
/// enough to be compiled, and each claim then spent seconds in LLVM (100 in-app messages a second in the kill -9 test).
/// And they keep the statements they repeat prepared (Npgsql's auto-prepare), instead of planning each execution anew.
/// </summary>
[Collection(CommsCollection.Name)]
public sealed class DatabaseSessionTests(CommsFixture fixture)
{
    [Fact]
    public async Task The_api_and_the_dispatcher_open_sessions_with_jit_off()
    {
        foreach (var services in new[] { fixture.Api.Services, fixture.Dispatcher.Services })
        {
            await using var command = services.GetRequiredService<NpgsqlDataSource>().CreateCommand("SHOW jit");
            Assert.Equal("off", await command.ExecuteScalarAsync());
        }

        // The control: a plain session of the same server has it on (PostgreSQL's default), so the check above can fail.
        await using var plain = fixture.DataSource.CreateCommand("SHOW jit");
        Assert.Equal("on", await plain.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_api_and_the_dispatcher_keep_a_statement_they_repeat_prepared()
    {
        const string statement = "SELECT count(*) FROM messages WHERE status = 'queued' AND channel = $1";
        foreach (var services in new[] { fixture.Api.Services, fixture.Dispatcher.Services })
        {
            Assert.Equal(1, await PreparedAfterRepeatsAsync(services.GetRequiredService<NpgsqlDataSource>(), statement));
        }

        // The control: a plain data source of the same database runs it unprepared every time.
        Assert.Equal(0, await PreparedAfterRepeatsAsync(fixture.DataSource, statement));
    }

    /// <summary>Runs the statement six times on one connection, then counts the server-side prepared statements it left on it.</summary>
    private static async Task<long> PreparedAfterRepeatsAsync(NpgsqlDataSource dataSource, string statement)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        for (var i = 0; i < 6; i++)
        {
            await using var command = new NpgsqlCommand(statement, connection) { Parameters = { new() { Value = "email" } } };
            await command.ExecuteScalarAsync();
        }

        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", connection)
        {
            Parameters = { new() { Value = statement } },
        };
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Theory]
    [InlineData(null, 64)]
    [InlineData("Host=db;Username=comms", 64)]
    [InlineData("Host=db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;maxautoprepare=8", 8)]
    public void A_connection_strings_own_auto_prepare_setting_is_kept(string? connectionString, int expected) =>
        Assert.Equal(expected, CommsDataExtensions.MaxAutoPrepareOf(connectionString));

    [Theory]
    [InlineData(null, "-c jit=off")]
    [InlineData("-c search_path=comms", "-c search_path=comms -c jit=off")]
    [InlineData("-c jit=on", "-c jit=on")]
    public void Options_a_connection_string_has_are_kept(string? options, string expected) =>
        Assert.Equal(expected, CommsDataExtensions.WithoutJit(options));
}
