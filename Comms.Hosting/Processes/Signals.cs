namespace Comms.Hosting;

/// <summary>Linux signal numbers used to stop child processes.</summary>
public static class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
}
