namespace Comms.ServiceDefaults;

/// <summary>
/// Marks a type on a service's hot path (the event intake, the routing and sending workers): the precompile warm-up
/// follows its calls — through our own code, into the libraries the app ships and the generic instantiations it makes —
/// and compiles what it reaches before the service reports healthy, so that the first event does not wait for the JIT.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class HotPathAttribute : Attribute;
