using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Ethereum.Tests.Differential;

/// <summary>
/// A long-lived Node process running hardhat/diff/bridge.mjs with ethers.js 6: the reference nobody here wrote.
/// One request per line, one answer per line; calls are serialized.
/// </summary>
public sealed class EthersBridge : IDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _nextId;

    public EthersBridge()
    {
        var root = RepoPaths.Root;
        var nodeBin = RepoPaths.Node;
        if (!File.Exists(nodeBin))
            throw new InvalidOperationException($"{nodeBin} is missing: run ./scripts/bootstrap.sh first.");
        var start = new ProcessStartInfo(nodeBin, [Path.Combine(root, "hardhat", "diff", "bridge.mjs")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
            WorkingDirectory = Path.Combine(root, "hardhat"),
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
    }

    /// <summary>Calls <paramref name="op"/> with <paramref name="args"/>; throws <see cref="EthersBridgeException"/> if ethers threw.</summary>
    public JsonNode? Call(string op, object? args = null)
    {
        _gate.Wait();
        try
        {
            var id = ++_nextId;
            var request = JsonSerializer.Serialize(new { id, op, args });
            _process.StandardInput.WriteLine(request);
            _process.StandardInput.Flush();
            var line = _process.StandardOutput.ReadLine()
                ?? throw new InvalidOperationException("ethers bridge exited");
            var answer = JsonNode.Parse(line)!.AsObject();
            if (answer["id"]!.GetValue<long>() != id)
                throw new InvalidOperationException($"ethers bridge answered out of order: {line}");
            if (!answer["ok"]!.GetValue<bool>())
                throw new EthersBridgeException(op, answer["error"]!.GetValue<string>());
            return answer["result"];
        }
        finally
        {
            _gate.Release();
        }
    }

    public string CallString(string op, object? args = null) => Call(op, args)!.GetValue<string>();

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000)) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        _gate.Dispose();
    }
}

public sealed class EthersBridgeException(string op, string error) : Exception($"ethers.js rejected {op}: {error}")
{
    public string Op { get; } = op;
    public string Error { get; } = error;
}

/// <summary>One bridge per test run: starting Node costs ~100 ms.</summary>
public sealed class EthersBridgeFixture : IDisposable
{
    public EthersBridge Ethers { get; } = new();

    public void Dispose() => Ethers.Dispose();
}

[CollectionDefinition(Name)]
public sealed class EthersCollection : ICollectionFixture<EthersBridgeFixture>
{
    public const string Name = "ethers.js differential";
}
