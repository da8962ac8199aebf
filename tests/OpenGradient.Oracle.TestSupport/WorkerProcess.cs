using System.Diagnostics;
using System.Text;

namespace OpenGradient.Oracle.TestSupport;

/// <summary>
/// The oracle node as a real operating-system process (the built Worker assembly run by <c>dotnet</c>), so a test can
/// kill it with SIGKILL at any moment, as a crash or an OOM kill would, and start it again on the same database.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();
    private Process? _process;

    private WorkerProcess(string configFile, IReadOnlyDictionary<string, string> environment)
    {
        ConfigFile = configFile;
        Environment = environment;
    }

    public string ConfigFile { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Everything the process printed, across restarts.</summary>
    public string Output
    {
        get
        {
            lock (_lock) return _output.ToString();
        }
    }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Exit code of the last run, or null while it runs (or before the first start).</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    public int Starts { get; private set; }

    /// <summary>The running process's id, or null when not running (for attaching diagnostics).</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>Peak resident memory of the running process (VmHWM from /proc), or null when not running.</summary>
    public long? PeakMemoryBytes()
    {
        if (_process is not { HasExited: false } p) return null;
        try
        {
            var line = File.ReadLines($"/proc/{p.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The Worker assembly next to the tests' own build configuration (Debug or Release).</summary>
    public static string WorkerAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<cfg>/net10.0
            var path = Path.Combine(RepoPaths.Root, "src", "OpenGradient.Oracle.Worker", "bin", configuration, "net10.0", "OpenGradient.Oracle.Worker.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"build the Worker first: {path} is missing", path);
        }
    }

    public static WorkerProcess Start(string configFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        var worker = new WorkerProcess(configFile, environment ?? new Dictionary<string, string>());
        worker.Launch();
        return worker;
    }

    public void Launch()
    {
        if (IsRunning) throw new InvalidOperationException("the worker is already running");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        start.ArgumentList.Add(WorkerAssembly);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(ConfigFile);
        foreach (var (k, v) in Environment) start.Environment[k] = v;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the worker");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Starts++;
        Append($"---- worker start #{Starts} (pid {process.Id}) ----");
    }

    /// <summary>SIGKILL: no shutdown hooks run, in-flight work is cut wherever it is.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } p || p.HasExited) return;
        Append($"---- SIGKILL pid {p.Id} ----");
        p.Kill(entireProcessTree: true);
        await p.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>SIGTERM and wait: the host's graceful shutdown path.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process is not { } p || p.HasExited) return;
        Append($"---- SIGTERM pid {p.Id} ----");
        using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill!.WaitForExitAsync().ConfigureAwait(false);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await KillAsync().ConfigureAwait(false);
            throw new TimeoutException($"the worker did not stop within {timeout.TotalSeconds:0} s of SIGTERM");
        }
    }

    /// <summary>Waits until <paramref name="url"/> answers 2xx (e.g. the dashboard's /health/ready).</summary>
    public async Task WaitUntilHealthyAsync(Uri url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process is { HasExited: true } p)
                throw new InvalidOperationException($"the worker exited with code {p.ExitCode}:\n{Tail()}");
            try
            {
                using var response = await http.GetAsync(url).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200).ConfigureAwait(false);
        }
        throw new TimeoutException($"the worker was not healthy at {url} within {timeout.TotalSeconds:0} s:\n{Tail()}");
    }

    public string Tail(int lines = 40)
    {
        var all = Output.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_lock) _output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
    }
}
