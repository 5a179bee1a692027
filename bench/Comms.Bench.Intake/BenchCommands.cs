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
            case "drain":
                (await DrainRate.MeasureAsync(options.Database!, TimeSpan.FromSeconds(options.Seconds))).Print();
                break;
            default:
                await LoadAsync(options);
                break;
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
