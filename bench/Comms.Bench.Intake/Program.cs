using Comms.Bench.Intake;

// Load generator for POST /v1/events against a running API, plus the same machine's raw PostgreSQL
// insert rate for comparison. Usage (README "Performance"; bench/run-intake.sh runs the whole scenario):
//   dotnet bench/Comms.Bench.Intake/bin/Release/net10.0/Comms.Bench.Intake.dll setup --api URL --key KEY
//   dotnet .../Comms.Bench.Intake.dll load  --api URL --key KEY [--db CS] [--concurrency 64] [--seconds 20] [--warmup 5]
//   dotnet .../Comms.Bench.Intake.dll raw   --db CS [--concurrency 32] [--seconds 10]
//   dotnet .../Comms.Bench.Intake.dll drain --db CS [--seconds 120]
//   dotnet .../Comms.Bench.Intake.dll first --api URL --key KEY --mail MAILDEV-URL   (bench/run-first-event.sh)
await BenchCommands.RunAsync(args.FirstOrDefault(), BenchOptions.Parse(args));
