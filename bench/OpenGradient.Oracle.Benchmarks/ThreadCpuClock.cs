using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OpenGradient.Oracle.Benchmarks;

/// <summary>
/// CPU time consumed by the calling thread (Linux CLOCK_THREAD_CPUTIME_ID), in nanoseconds. Unlike wall time it does
/// not count the time the thread waits while other processes run, which on a shared machine dominates the noise.
/// Valid for ONNX Runtime here because the node's sessions use one intra-op thread, the caller's; GC work done on
/// background threads is not counted.
/// Falls back to wall time (<see cref="IsThreadCpuTime"/> false) where the clock is unavailable.
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static bool IsThreadCpuTime { get; } = OperatingSystem.IsLinux() && TryRead(out _);

    public static long NowNanoseconds()
    {
        if (IsThreadCpuTime && TryRead(out var ns)) return ns;
        return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
    }

    private static bool TryRead(out long nanoseconds)
    {
        try
        {
            if (NativeMethods.clock_gettime(ClockThreadCpuTimeId, out var ts) == 0)
            {
                nanoseconds = ts.Seconds * 1_000_000_000 + ts.Nanoseconds;
                return true;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        nanoseconds = 0;
        return false;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "clock_gettime", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int clock_gettime(int clockId, out TimeSpec time);
    }
}
