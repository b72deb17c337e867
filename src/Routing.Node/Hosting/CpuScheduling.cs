using System.Globalization;
using System.Runtime.InteropServices;

namespace Routing.Node.Hosting;

/// <summary>
/// Puts the node's threads under the Linux SCHED_BATCH policy (<c>routing.node.cpu-scheduling = batch</c>).
/// </summary>
/// <remarks>
/// <para>Why: a request crosses several threads (the UDP receive thread, the transaction loop, actor dispatch on the
/// thread pool, the journal writer and back). Under SCHED_OTHER each hand-over woke a thread that preempted the one
/// that woke it, so at 26 000 REGISTER/s on two cores the node made about 25 000 context switches a second, half of
/// them preemptions, and about a tenth of its CPU went to switching. A SCHED_BATCH thread that wakes does not preempt
/// the running one (Linux's fair class skips the wake-up preemption for it); it runs when that one blocks or its slice
/// ends, so each thread works through what queued for it in one go. Measured: about 6 times fewer switches and 15 %
/// less CPU at the same rate, and a lower mean response time (benchmarks/RESULTS.md, run 20).</para>
/// <para>The cost: a woken thread may wait up to a time slice (a few ms) for a busy CPU, where it would have preempted.
/// Nice values and CPU shares apply as before; the policy needs no privilege.</para>
/// <para>A new thread inherits its creator's policy, so the node applies this to every thread it has once at start
/// (before the host creates its threads) and once more when started (threads the runtime created meanwhile from a thread
/// not yet changed).</para>
/// </remarks>
public static class CpuScheduling
{
    // <sched.h>: SCHED_OTHER 0, SCHED_BATCH 3.
    private const int SchedOther = 0;
    private const int SchedBatch = 3;

    /// <summary>Sets SCHED_BATCH on every thread of this process; returns how many it changed, and the first failure.</summary>
    public static (int Changed, string? Failure) ApplyBatchToAllThreads()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (0, "not Linux");
        }

        var changed = 0;
        string? failure = null;
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories("/proc/self/task");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (0, e.Message);
        }

        foreach (var task in tasks)
        {
            if (!int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
            {
                continue;
            }

            var current = NativeMethods.sched_getscheduler(tid);
            if (current != SchedOther)
            {
                // Batch already, or a policy someone chose on purpose (real-time, idle); a thread that ended (-1): skip.
                continue;
            }

            var param = default(NativeMethods.SchedParam);
            if (NativeMethods.sched_setscheduler(tid, SchedBatch, ref param) == 0)
            {
                changed++;
            }
            else
            {
                failure ??= $"sched_setscheduler({tid}, SCHED_BATCH) failed with errno {Marshal.GetLastPInvokeError()}";
            }
        }

        return (changed, failure);
    }

    private static class NativeMethods
    {
        [StructLayout(LayoutKind.Sequential)]
        internal struct SchedParam
        {
            public int Priority;
        }

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int sched_setscheduler(int pid, int policy, ref SchedParam param);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int sched_getscheduler(int pid);
    }
}
