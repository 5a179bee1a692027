using System.Runtime.InteropServices;

namespace Comms.Hosting;

/// <summary>libc entry points that .NET does not expose (signals other than SIGKILL, ownership).</summary>
internal static partial class NativeMethods
{
    private const int EPERM = 1;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetPasswordEntry(string name);

    public static bool IsRoot => GetEffectiveUserId() == 0;

    /// <summary>Sends <paramref name="signal"/>; returns false if the process does not exist (any more).</summary>
    public static bool SendSignal(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>True if a process with that pid exists (zombies included; see <see cref="ChildProcess.IsProcessAlive"/>).</summary>
    public static bool ProcessExists(int pid) =>
        Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == EPERM;

    /// <summary>Looks up uid/gid of a local user (struct passwd: name, passwd, uid, gid on 64-bit Linux).</summary>
    public static (uint Uid, uint Gid)? LookupUser(string name)
    {
        var entry = GetPasswordEntry(name);
        if (entry == IntPtr.Zero)
        {
            return null;
        }

        var uid = (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        var gid = (uint)Marshal.ReadInt32(entry, (2 * IntPtr.Size) + 4);
        return (uid, gid);
    }

    public static void ChangeOwner(string path, uint uid, uint gid)
    {
        if (Chown(path, uid, gid) != 0)
        {
            throw new IOException($"chown {uid}:{gid} '{path}' failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }
}
