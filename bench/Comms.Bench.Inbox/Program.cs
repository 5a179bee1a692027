using Comms.Bench.Inbox;

// The inbox benchmarks of SPEC S5 against a running app host (bench/run-inbox.sh runs the whole scenario):
//   live  --api URL --web URL [--users 2000] [--rate 200] [--seconds 60]   event → notificationReceived on connected clients
//   fill  --db CS [--users 100000]                                           10 M inbox rows straight into PostgreSQL
//   db    --db CS [--users 100000] [--requests 2000]                         first page and count at the database (+ EXPLAIN)
//   http  --api URL [--users 100000] [--requests 2000] [--concurrency 8]     GET /me/notifications and /count over HTTP
var options = InboxBenchOptions.Parse(args);
switch (args.FirstOrDefault())
{
    case "live":
        await LiveLatency.RunAsync(options);
        break;
    case "fill":
        await InboxFill.RunAsync(options);
        break;
    case "db":
        await DatabaseReads.RunAsync(options);
        break;
    case "http":
        await HttpReads.RunAsync(options);
        break;
    default:
        Console.Error.WriteLine("usage: live | fill | db | http (see Program.cs)");
        return 2;
}

return 0;
