namespace Comms.Bench.Email;

/// <summary>The subcommands (see Program.cs).</summary>
internal static class EmailBench
{
    public static async Task RunAsync(string? command, EmailBenchOptions options)
    {
        switch (command)
        {
            case "smtp":
                await SmtpBench.RunAsync(options);
                break;
            case "sendgrid":
                await SendGridBench.RunAsync(options);
                break;
            default:
                Console.Error.WriteLine("Usage: Comms.Bench.Email (smtp --dispatcher DLL --sink HOST:PORT | sendgrid --dispatcher DLL) [options]; see Program.cs.");
                Environment.ExitCode = 2;
                break;
        }
    }
}
