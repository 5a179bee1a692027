namespace Comms.Hosting;

/// <summary>Any program, run with the given arguments in <see cref="WorkingDirectory"/>.</summary>
public sealed class ExecutableResource : ProcessResource
{
    public ExecutableResource(string name, string command, string workingDirectory, IEnumerable<string> args)
        : base(name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        Command = command;
        WorkingDirectory = Path.GetFullPath(workingDirectory);
        foreach (var arg in args)
        {
            Args.Add(arg);
        }
    }

    public string Command { get; }

    public string WorkingDirectory { get; }

    protected override ChildProcessOptions CreateStartOptions(ResourceContext context, IReadOnlyDictionary<string, string?> environment) =>
        new() { FileName = Command, Arguments = [.. Args], WorkingDirectory = WorkingDirectory, Environment = environment };
}
