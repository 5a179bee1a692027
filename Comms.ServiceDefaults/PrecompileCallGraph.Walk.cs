using System.Reflection;
using System.Runtime.CompilerServices;

namespace Comms.ServiceDefaults;

/// <summary>The walk itself: its queue, what it has seen, and the virtual calls it resolves as classes appear.</summary>
internal static partial class PrecompileCallGraph
{
    /// <summary>
    /// One walk. Virtual and interface calls are resolved the way a whole-program compiler's rapid type analysis does:
    /// a call reaches the overrides in the classes the walk has seen made or used so far, and a class seen later
    /// reaches its overrides of the calls made before (<c>DbTransaction.CommitAsync</c> → Npgsql's), so no assembly is
    /// scanned whole (that loaded every type of every library: hundreds of megabytes).
    /// </summary>
    private sealed class Walk(IReadOnlyCollection<MethodBase> roots, Func<Type, bool> isOwn, Action<Type> stateMachineReached)
    {
        private readonly HashSet<MethodBase> _seen = [.. roots];
        private readonly HashSet<Type> _expanded = [];
        private readonly HashSet<Type> _classes = [];
        private readonly Dictionary<(Module, int), int> _virtualCalls = [];
        private readonly Dictionary<(Module, int), List<MethodInfo>> _overrides = [];
        private readonly Queue<(MethodBase Method, int Depth)> _queue = new(roots.Select(r => (r, 0)));

        public List<MethodBase> Reached { get; } = [];

        public void Run()
        {
            foreach (var root in roots)
            {
                SeeClass(root.DeclaringType, 0);
            }

            while (_queue.TryDequeue(out var item))
            {
                foreach (var callee in Callees(item.Method))
                {
                    // Our own code costs no depth, nor does the framework's code calling itself for the same
                    // instantiation (Enumerable.GroupBy → its overload → GroupByIterator → Lookup): a step into a library does.
                    var depth = (callee.DeclaringType is { } owner && isOwn(owner))
                        || (callee.Module == item.Method.Module && !IsShippedWithApp(callee.Module.Assembly)) ? item.Depth : item.Depth + 1;
                    if (callee is MethodInfo { IsVirtual: true, IsFinal: false, IsGenericMethod: false } virtualCall
                        && virtualCall.DeclaringType is { IsGenericType: false } && _virtualCalls.TryAdd(Key(virtualCall), depth)
                        && _overrides.TryGetValue(Key(virtualCall), out var implementations))
                    {
                        foreach (var implementation in implementations)
                        {
                            Reach(implementation, depth);
                        }
                    }

                    Reach(callee, depth);
                }
            }
        }

        private void Reach(MethodBase callee, int depth)
        {
            if (!IsCompilable(callee) || !Worth(callee) || !_seen.Add(callee))
            {
                return;
            }

            Reached.Add(callee);
            Enqueue(callee, depth, Follow(callee, isOwn));
            SeeClass(callee.DeclaringType, depth);
            if (callee is MethodInfo { ReturnType: var returned })
            {
                // What a library hands back is a class the code goes on to use (BeginTransactionAsync → NpgsqlTransaction).
                SeeClass(returned.IsConstructedGenericType && returned.GetGenericArguments() is [var result] ? result : returned, depth);
            }

            // A generic type made for our types is compiled whole: its other methods are reached through interfaces and
            // virtual calls the IL does not name (List<T>.GetEnumerator inside a foreach over IEnumerable<T>).
            if (callee.DeclaringType is { IsConstructedGenericType: true } generic && InstantiationTypes(callee).Any(isOwn))
            {
                foreach (var member in WholeType(generic, _expanded).Where(m => IsCompilable(m) && _seen.Add(m)))
                {
                    Reached.Add(member);
                    Enqueue(member, depth, follow: true);
                }
            }

            // An async method's body is its state machine's MoveNext, which its stub starts through the builder.
            if (callee is MethodInfo { IsGenericMethod: true, Name: "Start" } start && start.GetGenericArguments() is [var machine]
                && typeof(IAsyncStateMachine).IsAssignableFrom(machine))
            {
                stateMachineReached(machine);
                if (machine.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic) is { } moveNext
                    && _seen.Add(moveNext))
                {
                    Reached.Add(moveNext);
                    Enqueue(moveNext, depth, follow: true);
                }
            }
        }

        private void Enqueue(MethodBase method, int depth, bool follow)
        {
            if (follow && depth < MaxDepth)
            {
                _queue.Enqueue((method, depth));
            }
        }

        /// <summary>A class of ours or of a library, seen for the first time: its overrides of the calls made so far are reached.</summary>
        private void SeeClass(Type? type, int depth)
        {
            if (type is not { IsClass: true, IsAbstract: false, ContainsGenericParameters: false, IsGenericType: false }
                || (!isOwn(type) && !IsShippedWithApp(type.Assembly)) || !_classes.Add(type))
            {
                return;
            }

            foreach (var (baseMethod, implementation) in Implementations(type))
            {
                var key = Key(baseMethod);
                if (!_overrides.TryGetValue(key, out var list))
                {
                    _overrides[key] = list = [];
                }

                list.Add(implementation);
                if (_virtualCalls.TryGetValue(key, out var calledAt))
                {
                    Reach(implementation, Math.Max(calledAt, depth));
                }
            }
        }

        private static (Module, int) Key(MethodInfo method) => (method.Module, method.MetadataToken);
    }

    /// <summary>A class's own overrides and interface implementations (non-generic ones), with the method each implements.</summary>
    private static IEnumerable<(MethodInfo Base, MethodInfo Implementation)> Implementations(Type type)
    {
        const BindingFlags declared = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        foreach (var method in type.GetMethods(declared).Where(m => m.IsVirtual && !m.IsGenericMethodDefinition))
        {
            if (method.GetBaseDefinition() is { } root && root != method && root.DeclaringType is { IsGenericType: false })
            {
                yield return (root, method);
            }
        }

        foreach (var face in type.GetInterfaces().Where(i => !i.IsGenericType))
        {
            InterfaceMapping map;
            try
            {
                map = type.GetInterfaceMap(face);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or TypeLoadException)
            {
                continue;
            }

            for (var i = 0; i < map.InterfaceMethods.Length; i++)
            {
                if (map.TargetMethods[i] is { DeclaringType: { } owner } target && owner == type && !target.IsAbstract)
                {
                    yield return (map.InterfaceMethods[i], target);
                }
            }
        }
    }
}
