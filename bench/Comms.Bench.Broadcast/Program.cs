using Comms.Bench.Broadcast;

// The broadcast benchmark against a running app host (bench/run-broadcast.sh runs the whole scenario):
//   seed --db CS [--recipients 1000000] [--tenant demo]          COPY the audience (inside quiet hours: routed, not sent)
//   send --api URL --db CS --pid DISPATCHER_PID [--tenant demo]  compose, test-send, send; time the expansion, sample memory
//   copy --db CS --broadcast ID                                  bare binary COPY of the same rows into twin tables
var options = BroadcastBenchOptions.Parse(args);
switch (args.FirstOrDefault())
{
    case "seed":
        await AudienceSeed.RunAsync(options);
        break;
    case "send":
        await BroadcastExpansion.RunAsync(options);
        break;
    case "copy":
        await CopyBaseline.RunAsync(options);
        break;
    default:
        Console.Error.WriteLine("usage: seed | send | copy (see Program.cs)");
        return 2;
}

return 0;
