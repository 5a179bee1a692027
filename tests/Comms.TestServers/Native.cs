using System.Runtime.InteropServices;

namespace Comms.TestServers;

/// <summary>libc calls .NET does not expose: signals other than SIGKILL, and file ownership.</summary>
internal static partial class Native
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetPasswordEntry(string name);

    public static bool IsRoot => GetEffectiveUserId() == 0;

    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>Gives <paramref name="path"/> to a local user (struct passwd: name, passwd, uid, gid on 64-bit Linux).</summary>
    public static void GiveTo(string path, string user)
    {
        var entry = GetPasswordEntry(user);
        if (entry == IntPtr.Zero)
        {
            throw new InvalidOperationException($"There is no '{user}' user on this machine.");
        }

        var uid = (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        var gid = (uint)Marshal.ReadInt32(entry, (2 * IntPtr.Size) + 4);
        if (Chown(path, uid, gid) != 0)
        {
            throw new IOException($"chown {user} '{path}' failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }
}
