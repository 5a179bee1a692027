using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Comms.Hosting;

/// <summary>Binaries, data directory placement, password file, initdb and stale pid files.</summary>
internal static class PostgresSetup
{
    public const string ServiceUser = "postgres";
    private const string InstallRoot = "/usr/lib/postgresql";
    private const string DefaultVersion = "15";
    private const string SetprivPath = "/usr/bin/setpriv";
    public const string FallbackRoot = "/var/tmp/comms";
    private const UnixFileMode OwnerOnlyDirectory =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static string ResolveBinDirectory(string? configured)
    {
        if (configured is not null)
        {
            return File.Exists(Path.Combine(configured, "postgres"))
                ? configured
                : throw new InvalidOperationException($"No 'postgres' binary in BinDirectory '{configured}'.");
        }

        var candidates = Directory.Exists(InstallRoot)
            ? Directory.GetDirectories(InstallRoot)
                .Select(Path.GetFileName)
                .OfType<string>()
                .OrderByDescending(v => v == DefaultVersion)
                .ThenByDescending(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : 0)
                .Select(v => Path.Combine(InstallRoot, v, "bin"))
            : [];
        return candidates.FirstOrDefault(bin => File.Exists(Path.Combine(bin, "postgres")))
            ?? throw new InvalidOperationException(
                $"PostgreSQL server binaries not found in {InstallRoot}/*/bin. Install them (apt-get install postgresql) or set BinDirectory.");
    }

    public static string PasswordFilePath(string requestedDataDirectory, string name) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(requestedDataDirectory).TrimEnd('/'))!, name + ".password");

    public static string FallbackDirectory(string requestedDataDirectory)
    {
        var full = Path.GetFullPath(requestedDataDirectory).TrimEnd('/');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..12];
        return Path.Combine(FallbackRoot, hash, Path.GetFileName(full));
    }

    public static bool ClusterExists(string dataDirectory) => File.Exists(Path.Combine(dataDirectory, "PG_VERSION"));

    public static string ResolvePassword(PostgresServerOptions options, ILogger logger)
    {
        if (options.Password is not null)
        {
            return options.Password;
        }

        if (options.Ephemeral)
        {
            return GeneratePassword();
        }

        var file = PasswordFilePath(options.DataDirectory, options.Name);
        if (File.Exists(file))
        {
            var stored = File.ReadAllText(file).Trim();
            return stored.Length > 0 ? stored : throw new InvalidOperationException($"Password file '{file}' is empty.");
        }

        if (ClusterExists(options.DataDirectory) || ClusterExists(FallbackDirectory(options.DataDirectory)))
        {
            throw new InvalidOperationException(
                $"The PostgreSQL cluster for '{options.DataDirectory}' exists but its password file '{file}' is missing. " +
                "Restore the file, pass the password explicitly, or delete the data directory to start over.");
        }

        var password = GeneratePassword();
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        WriteSecretFile(file, password);
        PostgresLog.PasswordStored(logger, file);
        return password;
    }

    /// <summary>Creates the data directory where the server can use it; returns the directory actually used.</summary>
    public static async Task<string> PrepareDataDirectoryAsync(string requested, ILogger logger, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(requested).TrimEnd('/');
        if (!NativeMethods.IsRoot)
        {
            CreateOwnerOnlyDirectory(full, owner: null);
            return full;
        }

        var owner = NativeMethods.LookupUser(ServiceUser) ?? throw new InvalidOperationException(
            $"Running as root, but there is no '{ServiceUser}' user to run PostgreSQL as (initdb and postgres refuse root).");
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        if (!await ServiceUserCanSearchAsync(parent, cancellationToken))
        {
            var fallback = FallbackDirectory(full);
            PostgresLog.UsingFallbackDirectory(logger, full, fallback);
            Directory.CreateDirectory(Path.GetDirectoryName(fallback)!);
            full = fallback;
        }

        CreateOwnerOnlyDirectory(full, owner);
        return full;
    }

    /// <summary>Start options for a PostgreSQL binary, run as the postgres user when we are root.</summary>
    public static ChildProcessOptions BinaryCommand(string binary, IEnumerable<string> arguments) =>
        NativeMethods.IsRoot
            ? new ChildProcessOptions
            {
                FileName = SetprivPath,
                Arguments = [$"--reuid={ServiceUser}", $"--regid={ServiceUser}", "--init-groups", "--", binary, .. arguments],
                WorkingDirectory = "/",
            }
            : new ChildProcessOptions { FileName = binary, Arguments = [.. arguments], WorkingDirectory = "/" };

    /// <summary>
    /// Runs initdb into a staging folder next to <paramref name="dataDirectory"/> and moves it into place only on
    /// success, so an interrupted initdb never leaves a half-initialized cluster behind.
    /// </summary>
    public static async Task InitializeClusterAsync(
        string binDirectory, string dataDirectory, string password, ILogger logger, CancellationToken cancellationToken)
    {
        if (Directory.Exists(dataDirectory) && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new InvalidOperationException(
                $"'{dataDirectory}' is not empty but holds no PostgreSQL cluster (no PG_VERSION). Empty or delete it to start over.");
        }

        PostgresLog.InitializingCluster(logger, dataDirectory);
        var parent = Path.GetDirectoryName(dataDirectory)!;
        var staging = Path.Combine(parent, $".{Path.GetFileName(dataDirectory)}.initdb");
        var pwfile = staging + ".pw";
        DeleteIfExists(staging); // left by an interrupted run
        var owner = NativeMethods.IsRoot ? NativeMethods.LookupUser(ServiceUser) : null;
        CreateOwnerOnlyDirectory(staging, owner);
        WriteSecretFile(pwfile, password);
        try
        {
            if (owner is { } o)
            {
                NativeMethods.ChangeOwner(pwfile, o.Uid, o.Gid);
            }

            string[] arguments =
            [
                "-D", staging, "-U", "postgres", $"--pwfile={pwfile}", "--auth-local=trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale",
            ];
            await using var initdb = ChildProcess.Start(
                BinaryCommand(Path.Combine(binDirectory, "initdb"), arguments) with { NewSession = false },
                ProcessLog.Forward(logger));
            var code = await initdb.Exited.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
            if (code != 0)
            {
                throw new InvalidOperationException(
                    $"initdb failed with exit code {code} for '{dataDirectory}'. Output:{Environment.NewLine}{initdb.FormatOutputTail()}");
            }

            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory); // empty, checked above
            }

            Directory.Move(staging, dataDirectory);
        }
        catch
        {
            DeleteIfExists(staging);
            throw;
        }
        finally
        {
            File.Delete(pwfile);
        }
    }

    /// <summary>Removes postmaster.pid left by a crashed run; throws if a live postgres still owns the directory.</summary>
    public static void RemoveStalePidFile(string dataDirectory, ILogger logger)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return;
        }

        var firstLine = File.ReadLines(pidFile).FirstOrDefault()?.Trim();
        if (int.TryParse(firstLine, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
            && ChildProcess.IsProcessAlive(pid)
            && IsPostgresProcess(pid))
        {
            throw new InvalidOperationException(
                $"PostgreSQL is already running on '{dataDirectory}' (pid {pid}), perhaps left over from a previous run. " +
                $"Stop it first: kill -INT {pid}");
        }

        PostgresLog.RemovingStalePidFile(logger, pidFile, firstLine ?? "?");
        File.Delete(pidFile);
    }

    private static bool IsPostgresProcess(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim() is "postgres" or "postmaster";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<bool> ServiceUserCanSearchAsync(string directory, CancellationToken cancellationToken)
    {
        await using var probe = ChildProcess.Start(
            BinaryCommand("/usr/bin/test", ["-x", directory]) with { NewSession = false });
        return await probe.Exited.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken) == 0;
    }

    private static void DeleteIfExists(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void CreateOwnerOnlyDirectory(string directory, (uint Uid, uint Gid)? owner)
    {
        var existed = Directory.Exists(directory);
        Directory.CreateDirectory(directory);
        if (owner is { } o)
        {
            NativeMethods.ChangeOwner(directory, o.Uid, o.Gid);
        }

        if (!existed && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, OwnerOnlyDirectory);
        }
    }

    private static void WriteSecretFile(string path, string content)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options);
        writer.Write(content);
    }

    private static string GeneratePassword() =>
        RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 32);
}
