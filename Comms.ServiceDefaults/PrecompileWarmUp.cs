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
public sealed partial class PrecompileWarmUp(IHostEnvironment environment, IConfiguration configuration) : IWarmUpStep
{
    private const BindingFlags DeclaredMembers = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static
        | BindingFlags.Public | BindingFlags.NonPublic;

    public string Name => "precompile";

    /// <summary>Compiling once is enough: the tier-up rounds run the other steps.</summary>
    public bool Repeats => false;

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
