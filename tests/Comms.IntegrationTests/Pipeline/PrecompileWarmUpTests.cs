using System.Reflection;
using System.Runtime.CompilerServices;
using Comms.Core.Queueing;
using Comms.Core.Routing;
using Comms.ServiceDefaults;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace Comms.IntegrationTests.Pipeline;

/// <summary>
/// The precompile warm-up step: for the dispatcher it plans the service's own methods and, for its async methods, the
/// runtime's state-machine boxes and the builders' generic methods over them (what the first event used to JIT-compile
/// on its way: ~1,100 methods), leaves EF Core migrations out, and compiles them.
/// </summary>
public sealed class PrecompileWarmUpTests
{
    private const string Dispatcher = "Comms.Dispatcher";

    [Fact]
    public void The_plan_holds_the_dispatchers_code_and_the_boxes_of_its_async_methods_but_no_migration()
    {
        var plan = PrecompileWarmUp.Plan(Dispatcher);
        var names = plan.Select(m => $"{m.DeclaringType}::{m.Name}").ToHashSet(StringComparer.Ordinal);

        Assert.Contains(plan, m => m.DeclaringType?.Assembly.GetName().Name == Dispatcher);
        Assert.Contains(plan, m => m.DeclaringType?.Assembly == typeof(EventRouter).Assembly);
        var routeAsync = typeof(EventRouter).GetNestedTypes(BindingFlags.NonPublic)
            .Single(t => t.Name.StartsWith("<RouteAsync>", StringComparison.Ordinal) && typeof(IAsyncStateMachine).IsAssignableFrom(t));
        Assert.Contains(plan, m => m.DeclaringType is { IsGenericType: true } box && box.Name.StartsWith("AsyncStateMachineBox", StringComparison.Ordinal)
            && box.GetGenericArguments()[1] == routeAsync && m.Name == "MoveNext");
        Assert.Contains(plan, m => m is MethodInfo { IsGenericMethod: true } g && g.Name == "AwaitUnsafeOnCompleted"
            && g.GetGenericArguments()[1] == routeAsync);
        Assert.Contains(plan, m => m is MethodInfo { IsGenericMethod: true } g && g.Name == "Start" && g.GetGenericArguments()[0] == routeAsync);
        Assert.DoesNotContain(plan, m => m.DeclaringType?.Namespace?.EndsWith(".Data.Migrations", StringComparison.Ordinal) == true);
        Assert.True(plan.Count > 5_000, $"only {plan.Count} methods planned");
        Assert.True(names.Count > 1_000);
    }

    private static bool IsBoxOf(MethodBase method, string machinePrefix) =>
        method.DeclaringType is { IsGenericType: true } box && box.Name.StartsWith("AsyncStateMachineBox", StringComparison.Ordinal)
        && box.GetGenericArguments()[1].FullName?.StartsWith(machinePrefix, StringComparison.Ordinal) == true;

    [Fact]
    public void The_apis_plan_holds_the_request_delegates_continuations_no_self_request_reaches()
    {
        // A minimal-API handler that awaits a wait: the request delegate's box for its result and for its JSON body.
        var plan = PrecompileWarmUp.Plan("Comms.Api");
        Assert.Contains(plan, m => IsBoxOf(m, "Microsoft.AspNetCore.Http.RequestDelegateFactory+<ExecuteTaskResult>") && m.Name == "MoveNext");
        Assert.Contains(plan, m => IsBoxOf(m, "Microsoft.AspNetCore.Http.RequestDelegateFactory+<>c__DisplayClass") && m.Name == "MoveNext");
    }

    [Fact]
    public void From_the_hot_path_the_plan_reaches_the_libraries_async_code_and_generics_made_for_our_types()
    {
        var plan = PrecompileWarmUp.Plan(Dispatcher);

        // Npgsql's commit, reached through DbTransaction.CommitAsync (a virtual call), down to its state machine's box.
        Assert.Contains(plan, m => m.DeclaringType?.FullName?.StartsWith("Npgsql.NpgsqlTransaction+<Commit>", StringComparison.Ordinal) == true
            && m.Name == "MoveNext");
        Assert.Contains(plan, m => m.DeclaringType is { IsGenericType: true } box && box.Name.StartsWith("AsyncStateMachineBox", StringComparison.Ordinal)
            && box.GetGenericArguments()[1].FullName?.StartsWith("Npgsql.NpgsqlTransaction+<Commit>", StringComparison.Ordinal) == true);
        // A framework generic made for one of our types is compiled whole: the enumerator a foreach over IEnumerable<T> uses.
        Assert.Contains(plan, m => m.DeclaringType is { IsConstructedGenericType: true } list && list.Name == "Enumerator"
            && list.DeclaringType?.Name == "List`1" && list.GetGenericArguments()[0] == typeof(LeaseClaim) && m.Name == "MoveNext");
        // The boxes of awaits in the libraries' pipelines that only a real wait reaches, in their shared form: Polly's bridge
        // (a send through the breaker) and EF Core's query enumerator (a read whose answer is not there yet).
        Assert.Contains(plan, m => IsBoxOf(m, "Polly.Utils.Pipeline.BridgeComponent`1+") && m.Name == "MoveNext");
        Assert.Contains(plan, m => IsBoxOf(m, "Microsoft.EntityFrameworkCore.Query.Internal.SingleQueryingEnumerable`1+AsyncEnumerator")
            && m.Name == "MoveNext");
        // Only the hot path is followed: nothing of a library the dispatcher's hot path never calls into (CSV import).
        Assert.DoesNotContain(plan, m => m.Module.Assembly.GetName().Name == "CsvHelper");
        // With Comms:WarmUp:Precompile = Own, none of it: the service's own code only.
        Assert.DoesNotContain(PrecompileWarmUp.Plan(Dispatcher, PrecompileMode.Own), m => m.Module.Assembly.GetName().Name == "Npgsql");
    }

    [Fact]
    public async Task The_step_compiles_thousands_of_methods()
    {
        var step = new PrecompileWarmUp(new Environment(Dispatcher), new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());

        await step.RunAsync(CancellationToken.None);

        Assert.True(step.Compiled > 5_000, $"compiled {step.Compiled}");
        // (Not asserted: how many the JIT compiled meanwhile — another test's warm-up in this process may have prepared them first.)
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";
        public string ApplicationName { get; set; } = name;
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
