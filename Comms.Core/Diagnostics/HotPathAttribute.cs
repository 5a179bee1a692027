namespace Comms.Core.Diagnostics;

/// <summary>
/// Marks a type of the domain library on a service's hot path (the event intake's group commit, ...): the services'
/// precompile warm-up follows its calls like those of a type marked with <c>Comms.ServiceDefaults.HotPathAttribute</c>
/// (it recognises either by name; this library does not reference the service defaults).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class HotPathAttribute : Attribute;
