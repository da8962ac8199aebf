using Xunit;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenGradient.Oracle.TestSupport;

/// <summary>A funded account of the Hardhat devnet (the well-known "test test ... junk" mnemonic).</summary>
public sealed record HardhatAccount(int Index, string Address, string PrivateKey);

/// <summary>
/// A real <c>hardhat node</c> on a free 127.0.0.1 port, started with cwd = hardhat/ and Node 22 first on PATH.
/// Ready when eth_chainId answers. Disposing kills the whole process tree. Use as an xunit class or collection
/// fixture, or <c>await using var node = await HardhatNode.StartAsync();</c>.
/// </summary>
public sealed partial class HardhatNode : IAsyncLifetime, IAsyncDisposable, IDisposable
{
    public const ulong ChainId = 31337;
    private const int Attempts = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly StringBuilder _output = new();
    private readonly object _outputLock = new();
    private Process? _process;
    private List<HardhatAccount> _accounts = [];
    private ulong _chainId = ChainId;

    /// <summary>HTTP (and WebSocket) JSON-RPC endpoint.</summary>
    public Uri Url { get; private set; } = null!;

    public Uri WebSocketUrl => new UriBuilder(Url) { Scheme = "ws" }.Uri;

    public int Port { get; private set; }

    /// <summary>The 20 funded, unlocked accounts, as the node printed them at start.</summary>
    public IReadOnlyList<HardhatAccount> Accounts => _accounts;

    /// <summary>What the node wrote to stdout/stderr so far (for diagnostics).</summary>
    public string Output
    {
        get
        {
            lock (_outputLock) return _output.ToString();
        }
    }

    /// <summary>
    /// A raw JSON-RPC call for devnet controls (<c>evm_snapshot</c>, <c>evm_revert</c>, <c>evm_mine</c>,
    /// <c>evm_setAutomine</c>...). Returns the <c>result</c>; a JSON-RPC error is an <see cref="InvalidOperationException"/>.
    /// </summary>
    public async Task<System.Text.Json.JsonElement> RpcAsync(string method, params object?[] parameters)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 1, method, @params = parameters });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(Url, content);
        using var doc = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (doc.RootElement.TryGetProperty("error", out var error))
            throw new InvalidOperationException($"{method} failed: {error.GetRawText()}");
        return doc.RootElement.GetProperty("result").Clone();
    }

    public static Task<HardhatNode> StartAsync(CancellationToken cancellationToken = default) => StartAsync(ChainId, cancellationToken);

    /// <summary>A node serving <paramref name="chainId"/> (e.g. a standby RPC on the wrong chain).</summary>
    public static async Task<HardhatNode> StartAsync(ulong chainId, CancellationToken cancellationToken = default)
    {
        var node = new HardhatNode { _chainId = chainId };
        try
        {
            await node.StartCoreAsync(cancellationToken);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    async Task IAsyncLifetime.InitializeAsync() => await StartCoreAsync(CancellationToken.None);

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        Exception? last = null;
        // A free port can be taken between probing and binding by a parallel test: retry on a new port.
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            try
            {
                await StartOnceAsync(FreePort(), cancellationToken);
                return;
            }
            catch (HardhatNodeStartException e) when (attempt < Attempts - 1)
            {
                last = e;
                KillProcess();
            }
        }
        throw last ?? new InvalidOperationException("unreachable");
    }

    private async Task StartOnceAsync(int port, CancellationToken cancellationToken)
    {
        var hardhatDir = RepoPaths.Hardhat;
        var bin = Path.Combine(hardhatDir, "node_modules", ".bin");
        var hardhat = Path.Combine(bin, "hardhat");
        if (!File.Exists(hardhat) || !File.Exists(RepoPaths.Node))
            throw new InvalidOperationException($"{hardhat} or Node 22 is missing: run 'npm ci' in {hardhatDir} first.");

        lock (_outputLock) _output.Clear();
        var start = new ProcessStartInfo(RepoPaths.Node)
        {
            WorkingDirectory = hardhatDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // Run the hardhat script with Node 22 directly, and keep Node 22 first on PATH for anything it spawns.
        start.ArgumentList.Add(hardhat);
        foreach (var a in new[] { "node", "--hostname", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        if (_chainId != ChainId)
        {
            start.ArgumentList.Add("--chain-id");
            start.ArgumentList.Add(_chainId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        start.Environment["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        start.Environment["HARDHAT_DISABLE_TELEMETRY_PROMPT"] = "true";
        start.Environment["NO_COLOR"] = "1";

        var process = Process.Start(start) ?? throw new HardhatNodeStartException("could not start hardhat node");
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        Port = port;
        Url = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
                throw new HardhatNodeStartException($"hardhat node exited with code {process.ExitCode} on port {port}:\n{Output}");
            if (deadline.Elapsed > StartTimeout)
                throw new InvalidOperationException($"hardhat node did not answer eth_chainId within {StartTimeout.TotalSeconds} s:\n{Output}");
            if (await AnswersChainIdAsync(http, cancellationToken)) break;
            await Task.Delay(100, cancellationToken);
        }

        // The account table is printed right after the server starts; wait briefly until all 20 are there.
        var accountsDeadline = Stopwatch.StartNew();
        while ((_accounts = ParseAccounts(Output)).Count < 20 && accountsDeadline.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(50, cancellationToken);
        if (_accounts.Count < 20)
            throw new InvalidOperationException($"hardhat node printed {_accounts.Count} accounts, expected 20:\n{Output}");
    }

    private async Task<bool> AnswersChainIdAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}""", Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(Url, content, cancellationToken);
            return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync(cancellationToken)).Contains("\"result\"", StringComparison.Ordinal);
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_outputLock)
        {
            if (_output.Length < 1_000_000) _output.AppendLine(line);
        }
    }

    internal static List<HardhatAccount> ParseAccounts(string output) =>
        AccountRegex().Matches(output)
            .Select(m => new HardhatAccount(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value, m.Groups[3].Value))
            .DistinctBy(a => a.Index)
            .OrderBy(a => a.Index)
            .ToList();

    [GeneratedRegex(@"Account #(\d+):\s+(0x[0-9a-fA-F]{40}).*?\r?\nPrivate Key:\s+(0x[0-9a-fA-F]{64})")]
    private static partial Regex AccountRegex();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void KillProcess()
    {
        var process = _process;
        _process = null;
        if (process is null) return;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Raced with its exit.
        }
        process.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        KillProcess();
        return ValueTask.CompletedTask;
    }

    public void Dispose() => KillProcess();
}

/// <summary>The node process died during start-up (e.g. its port was taken); starting again may work.</summary>
public sealed class HardhatNodeStartException : Exception
{
    public HardhatNodeStartException() { }

    public HardhatNodeStartException(string message) : base(message) { }

    public HardhatNodeStartException(string message, Exception inner) : base(message, inner) { }
}
