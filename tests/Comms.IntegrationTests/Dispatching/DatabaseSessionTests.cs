using Comms.Core.Data;
using Comms.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Comms.IntegrationTests.Dispatching;

/// <summary>
/// The services' database sessions run without PostgreSQL's JIT: on young tables the queue's claim looked costly
/// enough to be compiled, and each claim then spent seconds in LLVM (100 in-app messages a second in the kill -9 test).
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

    [Theory]
    [InlineData(null, "-c jit=off")]
    [InlineData("-c search_path=comms", "-c search_path=comms -c jit=off")]
    [InlineData("-c jit=on", "-c jit=on")]
    public void Options_a_connection_string_has_are_kept(string? options, string expected) =>
        Assert.Equal(expected, CommsDataExtensions.WithoutJit(options));
}
