using Comms.Bench.Recipients;

// The recipient bulk-sync benchmark against a running app host (bench/run-recipients-bulk.sh runs the whole scenario):
//   http --api URL --key K [--recipients 200000] [--batch 1000] [--concurrency 4] [--prefix bulk]   POST /v1/recipients/bulk
//   copy --db CS [--recipients 200000] [--tenant demo] [--prefix copy]                            bare binary COPY of the same rows
var options = BulkBenchOptions.Parse(args);
switch (args.FirstOrDefault())
{
    case "http":
        await HttpBulkLoad.RunAsync(options);
        break;
    case "copy":
        await CopyBaseline.RunAsync(options);
        break;
    default:
        Console.Error.WriteLine("usage: http | copy (see Program.cs)");
        return 2;
}

return 0;
