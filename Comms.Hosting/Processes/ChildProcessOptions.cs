namespace Comms.Hosting;

/// <summary>How to start a <see cref="ChildProcess"/>.</summary>
public sealed record ChildProcessOptions
{
    /// <summary>Program to run (absolute path or a name looked up on PATH).</summary>
    public required string FileName { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set on top of the inherited environment; a null value removes a variable.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// Start the child in its own session (via <c>setsid</c>, which execs in place, so the PID is kept), so a
    /// Ctrl+C in the terminal reaches only the host, which then stops the children in order.
    /// </summary>
    public bool NewSession { get; init; } = true;

    /// <summary>How many of the last output lines are kept for error messages.</summary>
    public int OutputTailLines { get; init; } = 60;
}
