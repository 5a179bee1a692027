namespace Comms.Bench.Intake;

/// <summary>The load generator's subcommands (see Program.cs for their usage).</summary>
internal static class BenchCommands
{
    public static async Task RunAsync(string? command, BenchOptions options)
    {
        switch (command)
        {
            case "setup":
                await BenchSetup.RunAsync(options);
                break;
            case "raw":
                (await RawInsertRate.MeasureAsync(options.Database!, options.Concurrency, TimeSpan.FromSeconds(options.Seconds))).Print();
                break;
            case "first":
                await FirstEvent.RunAsync(options);
                break;
            case "open":
                await OpenLoad.RunAsync(options);
                break;
            case "drain":
                await DrainAsync(options);
                break;
            default:
                await LoadAsync(options);
                break;
        }
    }

    /// <summary>The drain, and with <c>--profile</c> where its time went: SQL per event and the processes' CPU.</summary>
    private static async Task DrainAsync(BenchOptions options)
    {
        var cpu = options.Pids is { } pids ? ProcessCpu.Start(pids) : null;
        if (options.Profile)
        {
            await SqlProfile.ResetAsync(options.Database!);
        }

        var drain = await DrainRate.MeasureAsync(options.Database!, TimeSpan.FromSeconds(options.Seconds));
        drain.Print();
        cpu?.Print(drain.Events, drain.Seconds);
        if (options.Profile)
        {
            await SqlProfile.ReportAsync(options.Database!, drain.Events);
        }
    }

    private static async Task LoadAsync(BenchOptions options)
    {
        Console.WriteLine($"Intake: {options.Api}, concurrency {options.Concurrency}, {options.Seconds} s after {options.Warmup} s warm-up, {Environment.ProcessorCount} cores");
        var intake = await IntakeLoad.RunAsync(options);
        intake.Print();
        if (options.Database is not null)
        {
            (await RoutingLag.MeasureAsync(options.Database, intake.StartedAt, intake.EndedAt)).Print();
        }
    }
}
