using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Comms.ServiceDefaults;

/// <summary>
/// What the service's own code reaches that the JIT would otherwise compile on the first request: follows the calls in
/// the methods' IL (<c>call</c>, <c>callvirt</c>, <c>newobj</c>, <c>ldftn</c>) to the generic instantiations they make
/// (<c>List&lt;LeaseClaim&gt;</c>, <c>Enumerable.Select&lt;LeaseClaim, Guid&gt;</c>, a library's async method over our
/// types) and to the methods of the libraries the app ships (Npgsql, EF Core, StackExchange.Redis, MailKit: IL only, no
/// ReadyToRun code), a few calls deep, into the bodies of the async methods they start. The shared framework's own
/// non-generic code is not followed: it is precompiled (ReadyToRun) already. Nothing is run; the IL is only read.
/// </summary>
internal static partial class PrecompileCallGraph
{
    /// <summary>How many calls deep the walk goes from the service's own methods.</summary>
    public const int MaxDepth = 4;

    private static readonly OpCode[] OneByte = new OpCode[256];
    private static readonly OpCode[] TwoByte = new OpCode[256];
    private static readonly string AppDirectory = Path.GetFullPath(AppContext.BaseDirectory);

    static PrecompileCallGraph()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            if (field.GetValue(null) is OpCode code)
            {
                var value = (ushort)code.Value;
                (value >> 8 == 0xFE ? TwoByte : OneByte)[value & 0xFF] = code;
            }
        }
    }

    /// <summary>
    /// The methods reachable from <paramref name="roots"/> worth compiling ahead (not the roots themselves), with
    /// <paramref name="isOwn"/> telling the service's own types. <paramref name="stateMachineReached"/> is told of every
    /// async state machine a reached method starts, so that the caller plans its box too.
    /// </summary>
    public static IReadOnlyCollection<MethodBase> Reach(IReadOnlyCollection<MethodBase> roots, Func<Type, bool> isOwn, Action<Type> stateMachineReached)
    {
        var walk = new Walk(roots, isOwn, stateMachineReached);
        walk.Run();
        return walk.Reached;
    }

    /// <summary>The methods of a constructed generic type, of its constructed generic base types and of its nested types made with the same arguments.</summary>
    private static IEnumerable<MethodBase> WholeType(Type generic, HashSet<Type> expanded)
    {
        var types = new List<Type>();
        for (var type = generic; type is { IsConstructedGenericType: true } && expanded.Add(type); type = type.BaseType)
        {
            types.Add(type);
            var arguments = type.GetGenericArguments();
            foreach (var nested in type.GetGenericTypeDefinition().GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic)
                         .Where(n => n.IsGenericTypeDefinition && n.GetGenericArguments().Length == arguments.Length))
            {
                try
                {
                    if (nested.MakeGenericType(arguments) is var made && expanded.Add(made))
                    {
                        types.Add(made);
                    }
                }
                catch (ArgumentException)
                {
                    // a constraint the arguments do not meet
                }
            }
        }

        const BindingFlags declared = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        return types.SelectMany(t => t.GetMethods(declared).Where(m => !m.IsGenericMethodDefinition).Cast<MethodBase>()
            .Concat(t.GetConstructors(declared).Where(c => !c.IsStatic)));
    }

    /// <summary>The methods whose tokens a method's IL holds, resolved in its generic context.</summary>
    private static List<MethodBase> Callees(MethodBase method)
    {
        var callees = new List<MethodBase>();
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception ex) when (ex is InvalidOperationException or BadImageFormatException or TypeLoadException or FileNotFoundException)
        {
            return callees;
        }

        if (il is null)
        {
            return callees;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : null;
        foreach (var token in MethodTokens(il))
        {
            try
            {
                if (method.Module.ResolveMethod(token, typeArguments, methodArguments) is { } callee)
                {
                    callees.Add(callee);
                }
            }
            catch (Exception ex) when (ex is ArgumentException or BadImageFormatException or TypeLoadException
                or FileNotFoundException or FileLoadException or MissingMethodException or NotSupportedException)
            {
                // a token the runtime cannot resolve here (a missing optional dependency, a vararg signature): not followed
            }
        }

        return callees;
    }

    private static IEnumerable<int> MethodTokens(byte[] il)
    {
        for (var i = 0; i < il.Length;)
        {
            OpCode code;
            if (il[i] == 0xFE && i + 1 < il.Length)
            {
                code = TwoByte[il[i + 1]];
                i += 2;
            }
            else
            {
                code = OneByte[il[i]];
                i += 1;
            }

            switch (code.OperandType)
            {
                case OperandType.InlineMethod:
                    if (i + 4 <= il.Length)
                    {
                        yield return BitConverter.ToInt32(il, i);
                    }

                    i += 4;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (i + 4 <= il.Length ? 4 * BitConverter.ToInt32(il, i) : 0);
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }

    private static bool IsCompilable(MethodBase method) =>
        !method.IsAbstract && !method.ContainsGenericParameters && method.DeclaringType is { IsInterface: false } type
        && !type.ContainsGenericParameters && !typeof(Delegate).IsAssignableFrom(type);

    /// <summary>A generic instantiation (made for its type arguments, so never in a ReadyToRun image) or a method of a library the app ships.</summary>
    private static bool Worth(MethodBase method) => IsInstantiation(method) || IsShippedWithApp(method.Module.Assembly);

    /// <summary>Into a library's code the walk goes on; into the framework's only where it was instantiated over the app's types or value types.</summary>
    private static bool Follow(MethodBase method, Func<Type, bool> isOwn) =>
        IsShippedWithApp(method.Module.Assembly)
        || (IsInstantiation(method) && InstantiationTypes(method).Any(t => t.IsValueType || isOwn(t)));

    private static bool IsInstantiation(MethodBase method) =>
        method.DeclaringType is { IsConstructedGenericType: true } || method is MethodInfo { IsGenericMethod: true };

    private static IEnumerable<Type> InstantiationTypes(MethodBase method)
    {
        var direct = (method.DeclaringType is { IsConstructedGenericType: true } declaring ? declaring.GetGenericArguments() : [])
            .Concat(method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : []);
        foreach (var type in direct)
        {
            yield return type;
            if (type.IsConstructedGenericType)
            {
                foreach (var inner in type.GetGenericArguments())
                {
                    yield return inner;
                }
            }
        }
    }

    private static bool IsShippedWithApp(Assembly assembly) =>
        !assembly.IsDynamic && assembly.Location.Length > 0
        && Path.GetFullPath(assembly.Location).StartsWith(AppDirectory, StringComparison.Ordinal);
}
