using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Comms.ServiceDefaults;

/// <summary>
/// The first warm-up step: JIT-compiles the service's code before it reports healthy — every method of the service's
/// assembly and of the <c>Comms.*</c> assemblies it references, and for each of their <c>async</c> methods the runtime's
/// state-machine box (<c>AsyncTaskMethodBuilder&lt;T&gt;.AsyncStateMachineBox&lt;TStateMachine&gt;</c>) and the builders'
/// generic methods over it; then, from the types marked <see cref="HotPathAttribute"/>, what their calls reach
/// (<see cref="PrecompileCallGraph"/>: the libraries' methods and async state machines, the generic instantiations over
/// our types). Tracing the first event showed ~1,100 methods compiled on its way through the dispatcher after the other
/// steps, ~580 with the service's own code compiled, ~140 with the hot path's reach too. Compiling is all this does —
/// no code of ours or of a library runs (the only type initializers run are the runtime's boxes' and the compiler's
/// lambda caches'), nothing is written — so it has no visible effect; a method the runtime cannot prepare on its own is
/// skipped. EF Core migrations are skipped: they run once, at migration time, in another process.
/// </summary>
public sealed class PrecompileWarmUp(IHostEnvironment environment, IConfiguration configuration) : IWarmUpStep
{
    private const BindingFlags DeclaredMembers = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static
        | BindingFlags.Public | BindingFlags.NonPublic;

    public string Name => "precompile";

    /// <summary>
    /// Compiled code is the process's, so a process that hosts a service twice (the integration tests) compiles once per
    /// service: the later hosts wait for the first run.
    /// </summary>
    private static readonly ConcurrentDictionary<string, Lazy<Task<int>>> Runs = new(StringComparer.Ordinal);

    /// <summary>How many methods the step prepared (for the warm-up test and the log).</summary>
    public int Compiled { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var mode = configuration.GetValue("Comms:WarmUp:Precompile", PrecompileMode.HotPath);
        if (mode == PrecompileMode.Off)
        {
            return;
        }

        var run = Runs.GetOrAdd($"{environment.ApplicationName}|{mode}", _ => new Lazy<Task<int>>(() => Task.Run(() => Compile(environment.ApplicationName, mode))));
        Compiled = await run.Value.WaitAsync(cancellationToken);
    }

    private static int Compile(string applicationName, PrecompileMode mode)
    {
        var methods = Plan(applicationName, mode);
        var compiled = 0;
        Parallel.ForEach(methods, method =>
        {
            if (TryPrepare(method))
            {
                Interlocked.Increment(ref compiled);
            }
        });
        foreach (var type in SafeInitializers(methods))
        {
            try
            {
                RuntimeHelpers.RunClassConstructor(type.TypeHandle);
            }
            catch (TypeInitializationException)
            {
                // left to run when first used, as before
            }
        }

        return compiled;
    }

    /// <summary>Every method the step compiles for a service (its assembly's simple name, e.g. <c>Comms.Dispatcher</c>).</summary>
    public static IReadOnlyList<MethodBase> Plan(string applicationName, PrecompileMode mode = PrecompileMode.HotPath)
    {
        var assemblies = Assemblies(applicationName);
        var own = assemblies.ToHashSet();
        var types = assemblies.SelectMany(Types).ToList();
        var roots = mode == PrecompileMode.HotPath ? types.Where(IsOnHotPath).SelectMany(Declared).ToList() : [];
        var machines = mode == PrecompileMode.HotPath ? LibraryPipelineMachines().ToHashSet() : [];
        var reached = PrecompileCallGraph.Reach(roots, type => own.Contains(type.Assembly), machine => machines.Add(machine));
        return [.. types.SelectMany(Methods).Concat(reached).Concat(machines.SelectMany(AsyncPlumbing)).Distinct()
            .Where(m => m is not MethodInfo { IsGenericMethodDefinition: true })];
    }

    /// <summary>
    /// Library code every request or send runs through but whose async continuations only a real await that waits reaches:
    /// ASP.NET Core's minimal-API request delegates (the handler's result and the JSON body read), Polly's pipeline (the
    /// bridge and the circuit breaker) and EF Core's async queries (whose reads wait only when the server's answer is not
    /// there yet). The warm-up's self-requests end before such an await (at an unknown tenant), its breaker attempt takes
    /// another path through them and its queries' answers are often there at once, so their state machines are planned
    /// here: generic ones in their shared form (over <see cref="object"/>, which every reference type's instantiation uses)
    /// and, for EF Core's, over the scalar types our queries return (<c>long?</c>: the catalog's version check).
    /// </summary>
    private static IEnumerable<Type> LibraryPipelineMachines()
    {
        foreach (var (name, arguments) in PipelineTypes)
        {
            if (Type.GetType(name, throwOnError: false) is not { } owner)
            {
                continue;
            }

            foreach (var machine in NestedTypes(owner).Where(t => typeof(IAsyncStateMachine).IsAssignableFrom(t)))
            {
                if (!machine.IsGenericTypeDefinition)
                {
                    yield return machine;
                    continue;
                }

                foreach (var argument in arguments)
                {
                    Type? made;
                    try
                    {
                        made = machine.MakeGenericType([.. machine.GetGenericArguments().Select(p => Argument(p, argument))]);
                    }
                    catch (ArgumentException)
                    {
                        made = null; // a constraint the argument does not meet
                    }

                    if (made is not null)
                    {
                        yield return made;
                    }
                }
            }
        }
    }

    /// <summary>
    /// <paramref name="argument"/>, unless the parameter is constrained to a class or an interface and the argument is
    /// <see cref="object"/>: then that constraint type, a reference type too, so the shared code is the same
    /// (<c>ExecuteTaskResult&lt;T&gt; where T : IResult</c>).
    /// </summary>
    private static Type Argument(Type parameter, Type argument) =>
        argument == typeof(object)
        && parameter.GetGenericParameterConstraints().FirstOrDefault(c => !c.ContainsGenericParameters && (c.IsInterface || (c.IsClass && c != typeof(ValueType)))) is { } constraint
            ? constraint
            : argument;

    private static readonly Type[] Shared = [typeof(object)];
    private static readonly Type[] SharedAndScalars = [typeof(object), typeof(long?), typeof(int), typeof(bool)];

    private static readonly (string Type, Type[] Arguments)[] PipelineTypes =
    [
        ("Microsoft.AspNetCore.Http.RequestDelegateFactory, Microsoft.AspNetCore.Http.Extensions", Shared),
        ("Polly.ResiliencePipeline, Polly.Core", Shared),
        ("Polly.Utils.Pipeline.BridgeComponent`1, Polly.Core", Shared),
        ("Polly.CircuitBreaker.CircuitBreakerResilienceStrategy`1, Polly.Core", Shared),
        ("Microsoft.EntityFrameworkCore.Query.Internal.SingleQueryingEnumerable`1, Microsoft.EntityFrameworkCore.Relational", SharedAndScalars),
        ("Microsoft.EntityFrameworkCore.Query.ShapedQueryCompilingExpressionVisitor, Microsoft.EntityFrameworkCore", SharedAndScalars),
        ("Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions, Microsoft.EntityFrameworkCore", SharedAndScalars),
    ];

    private static IEnumerable<Type> NestedTypes(Type type) =>
        type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(n => NestedTypes(n).Prepend(n));

    /// <summary>A type marked <see cref="HotPathAttribute"/>, or nested in one (its lambdas and async state machines).</summary>
    private static bool IsOnHotPath(Type type)
    {
        for (Type? t = type; t is not null; t = t.DeclaringType)
        {
            // By name: the domain library has an attribute of its own (it does not reference this one).
            if (t.GetCustomAttributesData().Any(a => a.AttributeType.Name == nameof(HotPathAttribute)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The type initializers that are safe to run ahead because no code of ours or of a library is in them: the runtime's
    /// state-machine boxes (a cached callback) and the compiler's lambda caches (<c>&lt;&gt;c</c>: one instance).
    /// </summary>
    public static IEnumerable<Type> SafeInitializers(IEnumerable<MethodBase> plan) =>
        plan.Select(m => m.DeclaringType).OfType<Type>().Distinct()
            .Where(t => !t.ContainsGenericParameters && (t.Name.StartsWith("AsyncStateMachineBox", StringComparison.Ordinal)
                || (t.IsNested && t.Name.StartsWith("<>c", StringComparison.Ordinal) && t.IsDefined(typeof(CompilerGeneratedAttribute), false)
                    && !t.Name.StartsWith("<>c__DisplayClass", StringComparison.Ordinal))));

    /// <summary>The service's assembly and the <c>Comms.*</c> assemblies it references (directly).</summary>
    public static IReadOnlyList<Assembly> Assemblies(string applicationName)
    {
        var service = Assembly.Load(new AssemblyName(applicationName));
        return [service, .. service.GetReferencedAssemblies()
            .Where(a => a.Name?.StartsWith("Comms.", StringComparison.Ordinal) == true)
            .Select(Assembly.Load)];
    }

    private static IEnumerable<Type> Types(Assembly assembly)
    {
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = ex.Types;
        }

        return types.OfType<Type>().Where(t => !t.IsGenericTypeDefinition && !t.IsInterface
            && t.Namespace?.EndsWith(".Data.Migrations", StringComparison.Ordinal) != true);
    }

    /// <summary>The type's own methods, and for an async state machine what the runtime makes for it.</summary>
    private static IEnumerable<MethodBase> Methods(Type type) =>
        typeof(IAsyncStateMachine).IsAssignableFrom(type) ? [.. Declared(type), .. AsyncPlumbing(type)] : Declared(type);

    /// <summary>A type's own concrete methods and instance constructors (type initializers are never compiled ahead: they would run).</summary>
    private static IEnumerable<MethodBase> Declared(Type type) =>
        type.GetMethods(DeclaredMembers).Where(m => !m.IsAbstract && !m.IsGenericMethodDefinition).Cast<MethodBase>()
            .Concat(type.GetConstructors(DeclaredMembers).Where(c => !c.IsStatic));

    /// <summary>
    /// What the runtime instantiates for one state machine: its box's methods, and the builders' generic methods over it —
    /// <c>Start</c>, <c>GetStateMachineBox</c>, and <c>AwaitUnsafeOnCompleted</c>/<c>AwaitOnCompleted</c> for each
    /// awaiter the state machine keeps (its <c>&lt;&gt;u__N</c> fields).
    /// </summary>
    private static IEnumerable<MethodBase> AsyncPlumbing(Type stateMachine)
    {
        if (StateMachineBox(stateMachine) is not { } box)
        {
            yield break;
        }

        foreach (var method in Declared(box.Box))
        {
            yield return method;
        }

        var awaiters = stateMachine.GetFields(DeclaredMembers).Where(f => f.Name.StartsWith("<>u__", StringComparison.Ordinal))
            .Select(f => f.FieldType).Distinct().ToList();
        var core = typeof(Task).Assembly.GetType("System.Runtime.CompilerServices.AsyncMethodBuilderCore");
        foreach (var owner in new[] { box.Builder, box.Generic, core }.OfType<Type>().Distinct())
        {
            foreach (var method in owner.GetMethods(DeclaredMembers).Where(m => m.IsGenericMethodDefinition))
            {
                var arity = method.GetGenericArguments().Length;
                if (method.Name is "Start" or "GetStateMachineBox" && arity == 1)
                {
                    yield return TryMakeGeneric(method, stateMachine);
                }
                else if (method.Name is "AwaitUnsafeOnCompleted" or "AwaitOnCompleted" && arity == 2)
                {
                    foreach (var awaiter in awaiters)
                    {
                        yield return TryMakeGeneric(method, awaiter, stateMachine);
                    }
                }
            }
        }
    }

    private static MethodBase TryMakeGeneric(MethodInfo method, params Type[] arguments)
    {
        try
        {
            return method.MakeGenericMethod(arguments);
        }
        catch (ArgumentException)
        {
            return method; // a constraint the arguments do not meet: left as the open definition, which is skipped
        }
    }

    /// <summary>
    /// The box the runtime makes for a state machine whose builder is an <c>AsyncTaskMethodBuilder</c>,
    /// <c>AsyncTaskMethodBuilder&lt;T&gt;</c> or an <c>AsyncValueTaskMethodBuilder</c> (all box through
    /// <c>AsyncTaskMethodBuilder&lt;T&gt;</c>, <c>VoidTaskResult</c> for no result), and the builder's <c>Start</c>.
    /// </summary>
    private static (Type Box, Type Builder, Type Generic)? StateMachineBox(Type stateMachine)
    {
        var builder = stateMachine.GetField("<>t__builder", DeclaredMembers)?.FieldType;
        if (builder is null)
        {
            return null;
        }

        Type? result = null;
        if (builder.IsGenericType && builder.GetGenericTypeDefinition() is var definition
            && (definition == typeof(AsyncTaskMethodBuilder<>) || definition == typeof(AsyncValueTaskMethodBuilder<>)))
        {
            result = builder.GetGenericArguments()[0];
        }
        else if (builder == typeof(AsyncTaskMethodBuilder) || builder == typeof(AsyncValueTaskMethodBuilder))
        {
            result = typeof(Task).Assembly.GetType("System.Threading.Tasks.VoidTaskResult");
        }

        var open = typeof(AsyncTaskMethodBuilder<>).GetNestedType("AsyncStateMachineBox`1", BindingFlags.NonPublic);
        if (result is null || open is null)
        {
            return null;
        }

        return (open.MakeGenericType(result, stateMachine), builder, typeof(AsyncTaskMethodBuilder<>).MakeGenericType(result));
    }

    private static bool TryPrepare(MethodBase method)
    {
        try
        {
            if (method.IsAbstract || (method is MethodInfo { IsGenericMethodDefinition: true }) || method.GetMethodBody() is null)
            {
                return false; // abstract, extern, or implemented by the runtime
            }

            // The entry point first: a generic instantiation made by reflection has none yet, and without one the runtime
            // would compile the method again on its first call instead of using what is prepared here.
            method.MethodHandle.GetFunctionPointer();
            var typeArguments = method.DeclaringType is { IsGenericType: true } declaring
                ? declaring.GetGenericArguments().Select(t => t.TypeHandle).ToArray()
                : null;
            if (method.IsGenericMethod)
            {
                var all = (typeArguments ?? []).Concat(method.GetGenericArguments().Select(t => t.TypeHandle)).ToArray();
                RuntimeHelpers.PrepareMethod(method.MethodHandle, all);
            }
            else if (typeArguments is not null)
            {
                RuntimeHelpers.PrepareMethod(method.MethodHandle, typeArguments);
            }
            else
            {
                RuntimeHelpers.PrepareMethod(method.MethodHandle);
            }

            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException
            or BadImageFormatException or TypeLoadException or MissingMethodException or FileNotFoundException or MethodAccessException
            or InvalidProgramException or TypeInitializationException or System.Security.VerificationException)
        {
            return false; // the runtime cannot prepare this one on its own: it is compiled when first called, as before
        }
    }
}

/// <summary>
/// What the precompile step compiles (<c>Comms:WarmUp:Precompile</c>): <see cref="HotPath"/> (the default) the service's
/// own code and what its hot path reaches in the libraries; <see cref="Own"/> the service's own code only (less memory,
/// about 90 MB less per service, and a first event some tens of milliseconds slower); <see cref="Off"/> nothing.
/// </summary>
public enum PrecompileMode
{
    HotPath,
    Own,
    Off,
}
