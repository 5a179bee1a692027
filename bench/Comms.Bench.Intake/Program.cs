using Comms.Bench.Intake;

// Load generator for POST /v1/events against a running API, plus the same machine's raw PostgreSQL
// insert rate for comparison. Usage (see bench/README.md):
//   dotnet run -c Release --project bench/Comms.Bench.Intake -- --api http://127.0.0.1:5080 --key demo-api-key
//       --db "Host=...;Database=commsdb;..." [--concurrency 64] [--seconds 30] [--warmup 5]
var options = BenchOptions.Parse(args);
Console.WriteLine($"Intake benchmark: {options.Api}, concurrency {options.Concurrency}, {options.Seconds} s after {options.Warmup} s warm-up, {Environment.ProcessorCount} cores");

var intake = await IntakeLoad.RunAsync(options);
intake.Print();

if (options.Database is not null)
{
    var lag = await RoutingLag.MeasureAsync(options.Database, intake.StartedAt, intake.EndedAt);
    lag.Print();
    var raw = await RawInsertRate.MeasureAsync(options.Database, options.Concurrency, TimeSpan.FromSeconds(Math.Min(options.Seconds, 10)));
    raw.Print();
}
