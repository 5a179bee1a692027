using Comms.Bench.Email;

// Email throughput benchmarks (README "Performance"; bench/run-email.sh builds and runs both):
//   dotnet .../Comms.Bench.Email.dll smtp     --dispatcher DLL --sink HOST:PORT [--messages 20000] [--connections 4]
//       the dispatcher (its own process, on a fresh PostgreSQL and Redis) sending N queued emails to an SMTP sink,
//       then a bare MailKit loop with the same connection count sending N to the same sink; prints both and the ratio.
//   dotnet .../Comms.Bench.Email.dll sendgrid --dispatcher DLL [--messages 300000] [--rps 100] [--seconds 10]
//       a fake SendGrid (202 + X-Message-Id) admitting at most --rps requests a second: our SendGrid provider alone
//       (in process) for --seconds, then the dispatcher (its own process) sending N queued emails through it.
await EmailBench.RunAsync(args.FirstOrDefault(), EmailBenchOptions.Parse(args));
