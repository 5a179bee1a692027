using System.Reflection;
using System.Runtime.CompilerServices;

namespace Comms.ServiceDefaults;

/// <summary>The async state machines the step plans: what the runtime makes for each (its box, the builders' generic methods), and the libraries' own.</summary>
public sealed partial class PrecompileWarmUp
{
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
}
