using Comms.Bench.Intake;

// Load generator for POST /v1/events against a running API, plus the same machine's raw PostgreSQL
// insert rate for comparison. Usage (README "Performance"; bench/run-intake.sh runs the whole scenario):
//   dotnet bench/Comms.Bench.Intake/bin/Release/net10.0/Comms.Bench.Intake.dll setup --api URL --key KEY
//   dotnet .../Comms.Bench.Intake.dll load  --api URL --key KEY [--db CS] [--concurrency 64] [--seconds 20] [--warmup 5]
//   dotnet .../Comms.Bench.Intake.dll raw   --db CS [--concurrency 32] [--seconds 10]
//   dotnet .../Comms.Bench.Intake.dll drain --db CS [--seconds 120]
//   dotnet .../Comms.Bench.Intake.dll first --api URL --key KEY --mail MAILDEV-URL   (bench/run-first-event.sh)
var options = BenchOptions.Parse(args);
switch (args.FirstOrDefault())
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
        Console.WriteLine($"Intake: {options.Api}, concurrency {options.Concurrency}, {options.Seconds} s after {options.Warmup} s warm-up, {Environment.ProcessorCount} cores");
        var intake = await IntakeLoad.RunAsync(options);
        intake.Print();
        if (options.Database is not null)
        {
            (await RoutingLag.MeasureAsync(options.Database, intake.StartedAt, intake.EndedAt)).Print();
        }

        break;
}
