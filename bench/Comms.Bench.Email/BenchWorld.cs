using System.Diagnostics;
using System.Globalization;
using Comms.Core.Data;
using Comms.TestServers;
using Npgsql;

namespace Comms.Bench.Email;

/// <summary>
/// A fresh PostgreSQL and Redis (the test servers), a migrated database with one tenant and N queued emails (inserted
/// server-side with generate_series), and the Release dispatcher as a process of its own, configured by environment.
/// </summary>
internal sealed class BenchWorld : IAsyncDisposable
{
    public const string Tenant = "bench";

    private readonly PostgresServer _postgres;
    private readonly RedisServer _redis;
    private Process? _dispatcher;

    private BenchWorld(PostgresServer postgres, RedisServer redis, string database)
    {
        _postgres = postgres;
        _redis = redis;
        Database = database;
        // Statements prepared after five uses, as the services' sessions do (CommsDataExtensions): "PostgreSQL alone" runs
        // the dispatcher's statements the way the dispatcher does.
        DataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database) { MaxAutoPrepare = CommsDataExtensions.MaxAutoPrepareOf(database) });
    }

    public string Database { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<BenchWorld> StartAsync()
    {
        var postgres = await PostgresServer.StartNewAsync();
        var redis = await RedisServer.StartNewAsync();
        await postgres.CreateDatabaseAsync("commsdb");
        var world = new BenchWorld(postgres, redis, postgres.ConnectionString("commsdb"));
        await CommsDatabase.MigrateAsync(world.DataSource);
        await world.ExecuteAsync($"INSERT INTO tenants (id, name, default_locale, default_time_zone, created_at) VALUES ('{Tenant}', 'Bench', 'en-US', 'UTC', now())");
        return world;
    }

    /// <summary>Queues <paramref name="count"/> emails, each to its own recipient, each with content of its own (as rendered per recipient).</summary>
    public async Task QueueAsync(int count, bool sameContent)
    {
        // Same content: one literal body per request; else each body differs (SendGrid substitutions, one per personalization).
        var text = sameContent ? "'Hello, your weekly summary is ready.'" : "'Hello ' || r.external_id || ', your weekly summary is ready.'";
        var html = sameContent ? "'<p>Hello, your <b>weekly summary</b> is ready.</p>'" : "'<p>Hello ' || r.external_id || ', your <b>weekly summary</b> is ready.</p>'";
        await ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $$"""
            INSERT INTO recipients (id, tenant_id, external_id, email, attributes, quiet_hours_enabled, quiet_hours_start, quiet_hours_end,
                                    roles, quiet_hours_exceptions, dm_muted_channels, created_at, updated_at)
            SELECT gen_random_uuid(), '{{Tenant}}', 'r' || i, 'r' || i || '@bench.example', '{}', false, '21:00', '08:00', '{}', '{}', '{}', now(), now()
              FROM generate_series(1, {{count}}) i;
            INSERT INTO messages (id, tenant_id, recipient_id, channel, category, template_name, template_version, cause_ref, address,
                                  status, attempts, due_at, created_at, unsubscribe_url)
            SELECT gen_random_uuid(), tenant_id, id, 'email', 'news', 'bench.weekly', 1, 'bench:' || external_id, email,
                   'queued', 0, now(), now(), 'https://comms.example/unsubscribe/' || external_id
              FROM recipients WHERE tenant_id = '{{Tenant}}' AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.recipient_id = recipients.id);
            INSERT INTO message_renders (message_id, tenant_id, content, created_at)
            SELECT m.id, m.tenant_id, jsonb_build_object('subject', 'Your weekly summary', 'text', {{text}}, 'html', {{html}}), now()
              FROM messages m JOIN recipients r ON r.id = m.recipient_id
             WHERE NOT EXISTS (SELECT 1 FROM message_renders mr WHERE mr.message_id = m.id);
            ANALYZE;
            """));
    }

    /// <summary>
    /// PostgreSQL alone: claims every queued email in batches of <paramref name="batchSize"/> with the dispatcher's own
    /// claim and marks each batch sent with its attempt rows (the dispatcher's own statement), no provider between them;
    /// the next claim runs while the previous batch is marked, as the sending loop does.
    /// </summary>
    public async Task<DrainResult> ClaimAndMarkAsync(int batchSize, int markGroup = int.MaxValue)
    {
        var cpu = PostgresCpuSeconds();
        var queue = new Comms.Core.Messages.MessageQueue(DataSource, TimeProvider.System);
        string[] channels = [Comms.Core.Messages.Channel.Email];
        var watch = Stopwatch.StartNew();
        long marked = 0;
        var next = queue.ClaimAsync(channels, "baseline", batchSize, TimeSpan.FromMinutes(5), CancellationToken.None);
        Task<IReadOnlySet<Guid>>? marking = null;
        while (true)
        {
            var batch = await next;
            if (batch.Count == 0)
            {
                break;
            }

            next = queue.ClaimAsync(channels, "baseline", batchSize, TimeSpan.FromMinutes(5), CancellationToken.None);
            var started = DateTimeOffset.UtcNow;
            var marks = batch.Select(m => new Comms.Core.Messages.SentMark(m.Claim, "sg-1",
                new Comms.Core.Messages.AttemptRecord("sendgrid", Comms.Core.Messages.AttemptOutcome.Sent, started) { StatusCode = 202, Response = "202 Accepted", ProviderMessageId = "sg-1" })).ToList();
            if (marking is not null)
            {
                marked += (await marking).Count;
            }

            marking = MarkInGroupsAsync(marks);
        }

        if (marking is not null)
        {
            marked += (await marking).Count;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        return new DrainResult(marked, seconds, seconds, 0, 0) { PostgresCpuPerEmail = marked > 0 ? (PostgresCpuSeconds() - cpu) / marked : 0 };

        // One statement at a time, as the group commit's single writer does.
        async Task<IReadOnlySet<Guid>> MarkInGroupsAsync(List<Comms.Core.Messages.SentMark> marks)
        {
            var held = new HashSet<Guid>();
            foreach (var group in marks.Chunk(Math.Min(markGroup, marks.Count)))
            {
                held.UnionWith(await queue.MarkSentManyAsync(group, CancellationToken.None));
            }

            return held;
        }
    }

    /// <summary>Starts the dispatcher (Release build, Production environment) with these settings.</summary>
    public void StartDispatcher(string dll, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet", [dll]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ConnectionStrings__commsdb"] = Database + Environment.GetEnvironmentVariable("COMMS_BENCH_DISPATCHER_DB_OPTIONS"); // e.g. ";Max Auto Prepare=64", for a before/after pair
        start.Environment["ConnectionStrings__redis"] = _redis.ConnectionString;
        start.Environment["Comms__Auth__SecretEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        start.Environment["Comms__Dispatcher__PollInterval"] = "00:00:00.200";
        start.Environment["Comms__Links__PublicWebUrl"] = "http://127.0.0.1:5081";
        start.Environment["Comms__Unsubscribe__SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        _dispatcher = Process.Start(start)!;
        _dispatcher.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("  [dispatcher] " + e.Data); };
        _dispatcher.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine("  [dispatcher] " + e.Data); };
        _dispatcher.BeginOutputReadLine();
        _dispatcher.BeginErrorReadLine();
    }

    /// <summary>Another process whose CPU time is sampled with the dispatcher's (the SMTP sink).</summary>
    public int? SinkPid { get; set; }

    /// <summary>
    /// Waits until every email is sent or failed; the rate is over the sent_at span of the emails after the first
    /// <paramref name="warmUp"/> (the dispatcher's start-up, and its JIT's tiering while the first emails go, excluded), and
    /// so is the CPU time per email.
    /// </summary>
    public async Task<DrainResult> WaitForAllAsync(int count, TimeSpan timeout, int warmUp = 0)
    {
        var deadline = Stopwatch.StartNew();
        (long Sent, double Dispatcher, double Postgres, double Sink)? first = null, last = null;
        while (deadline.Elapsed < timeout)
        {
            if (_dispatcher is { HasExited: true })
            {
                throw new InvalidOperationException($"The dispatcher exited ({_dispatcher.ExitCode}).");
            }

            await using var command = DataSource.CreateCommand("SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'failed') FROM messages");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            var (sent, failed) = (reader.GetInt64(0), reader.GetInt64(1));
            // CPU from the first email sent (the dispatcher's start-up and warm-up excluded) to the last.
            var sample = (sent, DispatcherCpuSeconds(), PostgresCpuSeconds(), SinkPid is { } sink ? CpuSeconds.OfTree(sink) : 0);
            if (first is null && sent > Math.Max(0, warmUp - 1))
            {
                first = sample;
            }

            last = sample;
            if (sent + failed >= count)
            {
                break;
            }

            await Task.Delay(1000); // each poll is a scan of the messages table: rarely, so it adds little to PostgreSQL's CPU per email
        }

        await using var span = DataSource.CreateCommand($"""
            WITH measured AS (SELECT sent_at FROM messages WHERE status = 'sent' ORDER BY sent_at OFFSET {warmUp})
            SELECT count(*), extract(epoch FROM max(sent_at) - min(sent_at)),
                   extract(epoch FROM percentile_disc(0.95) WITHIN GROUP (ORDER BY sent_at) - percentile_disc(0.05) WITHIN GROUP (ORDER BY sent_at)),
                   (SELECT count(*) FROM messages WHERE status = 'failed'), (SELECT count(*) FROM messages WHERE status = 'queued'),
                   count(*)::float8 / GREATEST(count(DISTINCT sent_at), 1)
              FROM measured
            """);
        await using var result = await span.ExecuteReaderAsync();
        await result.ReadAsync();
        var emails = first is { } f && last is { } l && l.Sent > f.Sent ? l.Sent - f.Sent : 0;
        return new DrainResult(result.GetInt64(0), result.IsDBNull(1) ? 0 : (double)result.GetDecimal(1), result.IsDBNull(2) ? 0 : (double)result.GetDecimal(2),
            result.GetInt64(3), result.GetInt64(4))
        {
            MarksPerStatement = result.GetDouble(5),
            DispatcherCpuPerEmail = emails > 0 ? (last!.Value.Dispatcher - first!.Value.Dispatcher) / emails : 0,
            PostgresCpuPerEmail = emails > 0 ? (last!.Value.Postgres - first!.Value.Postgres) / emails : 0,
            SinkCpuPerEmail = emails > 0 && SinkPid is not null ? (last!.Value.Sink - first!.Value.Sink) / emails : null,
        };
    }

    /// <summary>The dispatcher process's CPU time so far (user + system), in seconds.</summary>
    public double DispatcherCpuSeconds()
    {
        if (_dispatcher is not { HasExited: false } process)
        {
            return 0;
        }

        process.Refresh();
        return process.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>PostgreSQL's CPU time so far, in seconds: the postmaster, its live backends, and the backends that exited.</summary>
    public double PostgresCpuSeconds() => CpuSeconds.OfTree(_postgres.Pid);

    public async Task StopDispatcherAsync()
    {
        if (_dispatcher is { HasExited: false })
        {
            _dispatcher.Kill(entireProcessTree: true);
            await _dispatcher.WaitForExitAsync();
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopDispatcherAsync();
        await DataSource.DisposeAsync();
        await _redis.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}

/// <summary>Emails sent, the seconds from the first to the last, and from the 5th to the 95th percentile (the steady part).</summary>
internal sealed record DrainResult(long Sent, double Seconds, double MiddleSeconds, long Failed, long Queued)
{
    public double Rate => Seconds > 0 ? Sent / Seconds : 0;

    public double SteadyRate => MiddleSeconds > 0 ? Sent * 0.9 / MiddleSeconds : 0;

    /// <summary>CPU seconds per email from the first email sent to the last: the dispatcher's, PostgreSQL's.</summary>
    public double DispatcherCpuPerEmail { get; init; }

    public double PostgresCpuPerEmail { get; init; }

    public double? SinkCpuPerEmail { get; init; }

    /// <summary>Emails marked sent by one statement, on average (one statement writes one sent_at).</summary>
    public double MarksPerStatement { get; init; }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Sent:N0} sent in {Seconds:F2} s = {Rate:N0}/s (steady 5th-95th percentile: {SteadyRate:N0}/s); failed {Failed}, still queued {Queued}; {MarksPerStatement:F0} marks a statement; CPU per email: dispatcher {DispatcherCpuPerEmail * 1e6:F0} µs, PostgreSQL {PostgresCpuPerEmail * 1e6:F0} µs{(SinkCpuPerEmail is { } sink ? $", sink {sink * 1e6:F0} µs" : "")}");
}
