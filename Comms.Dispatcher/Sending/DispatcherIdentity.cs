using Microsoft.Extensions.Options;

namespace Comms.Dispatcher.Sending;

/// <summary>The name this replica uses as lease owner: host:pid:random unless configured.</summary>
public sealed class DispatcherIdentity(IOptions<DispatcherOptions> options)
{
    public string Id { get; } = options.Value.InstanceId
        ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
}
