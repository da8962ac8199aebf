using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Ethereum.Rpc;

/// <summary>One request of a JSON-RPC batch.</summary>
public sealed record RpcRequest(string Method, params object?[] Params);

/// <summary>One answer of a batch: a result, or the error it would have thrown.</summary>
public sealed record RpcResponse(JsonElement? Result, RpcErrorException? Error)
{
    public JsonElement GetResultOrThrow() => Error is not null ? throw Error : Result ?? default;
}

/// <summary>
/// Ethereum JSON-RPC over HTTP. Every call takes a <see cref="CancellationToken"/> and is bounded by
/// <see cref="Timeout"/>. Failures: <see cref="RpcTransportException"/> (with IsTransient), <see cref="RpcErrorException"/>,
/// and its subclass <see cref="ContractRevertException"/> for execution reverts. Thread-safe.
/// </summary>
public sealed class EthRpcClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;
    private long _nextId;

    /// <param name="endpoint">The node's HTTP URL.</param>
    /// <param name="http">Shared client (from IHttpClientFactory); if null one is created and disposed with this.</param>
    /// <param name="timeout">Per-call limit; default 30 s.</param>
    /// <param name="timeProvider">For the timeout; default the system clock.</param>
    public EthRpcClient(Uri endpoint, HttpClient? http = null, TimeSpan? timeout = null, TimeProvider? timeProvider = null)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _time = timeProvider ?? TimeProvider.System;
        Timeout = timeout ?? TimeSpan.FromSeconds(30);
        if (Timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "the timeout must be positive");
    }

    public Uri Endpoint { get; }

    public TimeSpan Timeout { get; }

    // ---- generic ----

    /// <summary>Calls <paramref name="method"/> and deserializes the result as <typeparamref name="T"/> (JsonElement works).</summary>
    public async Task<T> CallAsync<T>(string method, object?[] parameters, CancellationToken cancellationToken = default)
    {
        var result = await CallRawAsync(method, parameters, cancellationToken).ConfigureAwait(false);
        if (typeof(T) == typeof(JsonElement)) return (T)(object)result;
        try
        {
            return result.Deserialize<T>()!;
        }
        catch (JsonException e)
        {
            throw new RpcTransportException($"{method}: unexpected result {Shorten(result.GetRawText())}", false, e);
        }
    }

    public async Task<JsonElement> CallRawAsync(string method, object?[] parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        var id = Interlocked.Increment(ref _nextId);
        var body = RequestJson(id, method, parameters);
        using var doc = await PostAsync(body.ToJsonString(), method, cancellationToken).ConfigureAwait(false);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new RpcTransportException($"{method}: the answer is not a JSON-RPC object", false);
        var response = ReadResponse(method, doc.RootElement);
        return response.GetResultOrThrow();
    }

    /// <summary>Sends several requests in one HTTP round trip; answers come back in request order.</summary>
    public async Task<IReadOnlyList<RpcResponse>> BatchAsync(IReadOnlyList<RpcRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0) return [];
        var first = Interlocked.Add(ref _nextId, requests.Count) - requests.Count + 1;
        var array = new JsonArray(requests.Select((r, i) => (JsonNode?)RequestJson(first + i, r.Method, r.Params)).ToArray());
        using var doc = await PostAsync(array.ToJsonString(), "batch", cancellationToken).ConfigureAwait(false);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            if (doc.RootElement.ValueKind == JsonValueKind.Object) ReadResponse("batch", doc.RootElement).GetResultOrThrow();
            throw new RpcTransportException("batch: the answer is not a JSON array", false);
        }
        var byId = new Dictionary<long, JsonElement>();
        foreach (var item in doc.RootElement.EnumerateArray())
            if (item.TryGetProperty("id", out var idEl) && idEl.TryGetInt64(out var id)) byId[id] = item;
        var results = new RpcResponse[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            if (!byId.TryGetValue(first + i, out var item))
                throw new RpcTransportException($"batch: no answer for {requests[i].Method}", false);
            results[i] = ReadResponse(requests[i].Method, item);
        }
        return results;
    }

    // ---- eth_* ----

    public async Task<ulong> ChainIdAsync(CancellationToken cancellationToken = default) =>
        Quantity.Parse(await CallAsync<string>("eth_chainId", [], cancellationToken).ConfigureAwait(false));

    public async Task<ulong> BlockNumberAsync(CancellationToken cancellationToken = default) =>
        Quantity.Parse(await CallAsync<string>("eth_blockNumber", [], cancellationToken).ConfigureAwait(false));

    /// <summary>The block header with transaction hashes, or null if the block does not exist (yet).</summary>
    public async Task<RpcBlock?> GetBlockByNumberAsync(BlockTag block, CancellationToken cancellationToken = default)
    {
        var result = await CallRawAsync("eth_getBlockByNumber", [block.Value, false], cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : Parse("eth_getBlockByNumber", result, RpcBlock.FromJson);
    }

    public async Task<IReadOnlyList<RpcLog>> GetLogsAsync(LogFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var result = await CallRawAsync("eth_getLogs", [filter.ToJson()], cancellationToken).ConfigureAwait(false);
        return Parse("eth_getLogs", result, r => r.EnumerateArray().Select(RpcLog.FromJson).ToArray());
    }

    /// <summary>eth_call; a revert is a <see cref="ContractRevertException"/> with the revert data.</summary>
    public async Task<byte[]> EthCallAsync(TransactionRequest call, BlockTag? block = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        var result = await CallAsync<string>("eth_call", [call.ToJson(), (block ?? BlockTag.Latest).Value], cancellationToken).ConfigureAwait(false);
        return Hex.Decode(result);
    }

    public async Task<ulong> EstimateGasAsync(TransactionRequest call, BlockTag? block = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        object?[] parameters = block is { } b ? [call.ToJson(), b.Value] : [call.ToJson()];
        return Quantity.Parse(await CallAsync<string>("eth_estimateGas", parameters, cancellationToken).ConfigureAwait(false));
    }

    public async Task<FeeHistory> FeeHistoryAsync(int blockCount, BlockTag newest, IReadOnlyList<double> rewardPercentiles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewardPercentiles);
        var result = await CallRawAsync("eth_feeHistory", [Quantity.Format((ulong)blockCount), newest.Value, rewardPercentiles], cancellationToken).ConfigureAwait(false);
        return Parse("eth_feeHistory", result, FeeHistory.FromJson);
    }

    public async Task<BigInteger> GasPriceAsync(CancellationToken cancellationToken = default) =>
        Quantity.ParseBig(await CallAsync<string>("eth_gasPrice", [], cancellationToken).ConfigureAwait(false));

    public async Task<BigInteger> MaxPriorityFeePerGasAsync(CancellationToken cancellationToken = default) =>
        Quantity.ParseBig(await CallAsync<string>("eth_maxPriorityFeePerGas", [], cancellationToken).ConfigureAwait(false));

    /// <summary>The account's nonce at <paramref name="block"/>; use <see cref="BlockTag.Pending"/> to count queued transactions.</summary>
    public async Task<ulong> GetTransactionCountAsync(Address account, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        Quantity.Parse(await CallAsync<string>("eth_getTransactionCount", [account.ToString(), (block ?? BlockTag.Latest).Value], cancellationToken).ConfigureAwait(false));

    public async Task<BigInteger> GetBalanceAsync(Address account, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        Quantity.ParseBig(await CallAsync<string>("eth_getBalance", [account.ToString(), (block ?? BlockTag.Latest).Value], cancellationToken).ConfigureAwait(false));

    public async Task<byte[]> GetCodeAsync(Address account, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        Hex.Decode(await CallAsync<string>("eth_getCode", [account.ToString(), (block ?? BlockTag.Latest).Value], cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Broadcasts a signed transaction (the RLP-encoded typed envelope). This is the production path: the node holds
    /// no keys. Returns the transaction hash.
    /// </summary>
    public async Task<byte[]> SendRawTransactionAsync(ReadOnlyMemory<byte> signedTransaction, CancellationToken cancellationToken = default) =>
        Hex.Decode(await CallAsync<string>("eth_sendRawTransaction", [Hex.Encode(signedTransaction.Span)], cancellationToken).ConfigureAwait(false));

    /// <summary>Devnet only: the node signs with one of its unlocked accounts. Returns the transaction hash.</summary>
    public async Task<byte[]> SendTransactionAsync(TransactionRequest transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return Hex.Decode(await CallAsync<string>("eth_sendTransaction", [transaction.ToJson()], cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The receipt, or null while the transaction is not mined.</summary>
    public async Task<RpcReceipt?> GetTransactionReceiptAsync(ReadOnlyMemory<byte> transactionHash, CancellationToken cancellationToken = default)
    {
        var result = await CallRawAsync("eth_getTransactionReceipt", [Hex.Encode(transactionHash.Span)], cancellationToken).ConfigureAwait(false);
        return result.ValueKind == JsonValueKind.Null ? null : Parse("eth_getTransactionReceipt", result, RpcReceipt.FromJson);
    }

    /// <summary>The receipts of several transactions in one HTTP round trip (a JSON-RPC batch), in the order asked; null
    /// for a transaction not mined yet.</summary>
    public async Task<IReadOnlyList<RpcReceipt?>> GetTransactionReceiptsAsync(IReadOnlyList<ReadOnlyMemory<byte>> transactionHashes,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionHashes);
        var answers = await BatchAsync(transactionHashes.Select(h => new RpcRequest("eth_getTransactionReceipt", Hex.Encode(h.Span))).ToArray(),
            cancellationToken).ConfigureAwait(false);
        return answers.Select(a => a.GetResultOrThrow() is var result && result.ValueKind == JsonValueKind.Null
            ? null
            : Parse("eth_getTransactionReceipt", result, RpcReceipt.FromJson)).ToArray();
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    // ---- plumbing ----

    private static JsonObject RequestJson(long id, string method, object?[]? parameters) => new()
    {
        ["jsonrpc"] = "2.0",
        ["id"] = id,
        ["method"] = method,
        ["params"] = new JsonArray((parameters ?? []).Select(ToNode).ToArray()),
    };

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode n => n.DeepClone(),
        string s => s,
        bool b => b,
        _ => JsonSerializer.SerializeToNode(value, value.GetType()),
    };

    private async Task<JsonDocument> PostAsync(string body, string method, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(Endpoint, content, linked.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            JsonDocument? doc = null;
            try
            {
                doc = JsonDocument.Parse(bytes);
            }
            catch (JsonException) when (!response.IsSuccessStatusCode)
            {
                // Not JSON-RPC at all: judged by the status below.
            }
            catch (JsonException e)
            {
                throw new RpcTransportException($"{method}: the node answered with invalid JSON", false, e, status);
            }
            // Some providers send a JSON-RPC error with a 4xx/5xx status: the JSON-RPC error is the better diagnosis.
            if (!response.IsSuccessStatusCode && !(doc is not null && HasError(doc.RootElement)))
            {
                doc?.Dispose();
                var transient = status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
                throw new RpcTransportException($"{method}: HTTP {status} from {Endpoint}", transient, null, status);
            }
            return doc!;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RpcTransportException($"{method}: no answer from {Endpoint} within {Timeout.TotalSeconds:0.###} s", true, e);
        }
        catch (HttpRequestException e)
        {
            throw new RpcTransportException($"{method}: {e.Message} ({Endpoint})", true, e, (int?)e.StatusCode);
        }
    }

    private static bool HasError(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out _)
        || root.ValueKind == JsonValueKind.Array;

    private static RpcResponse ReadResponse(string method, JsonElement item)
    {
        if (item.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            return new RpcResponse(null, ToException(method, error));
        if (!item.TryGetProperty("result", out var result))
            throw new RpcTransportException($"{method}: answer has neither result nor error", false);
        return new RpcResponse(result.Clone(), null);
    }

    private static RpcErrorException ToException(string method, JsonElement error)
    {
        var code = error.TryGetProperty("code", out var c) && c.TryGetInt64(out var cv) ? cv : 0;
        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        JsonElement? data = error.TryGetProperty("data", out var d) ? d.Clone() : null;
        var revertData = FindRevertData(data);
        // Geth and Hardhat use code 3 for reverts with data; some nodes only say so in the message.
        var isRevert = code == 3 || message.Contains("revert", StringComparison.OrdinalIgnoreCase);
        return isRevert
            ? new ContractRevertException(method, code, message, data, revertData ?? [])
            : new RpcErrorException(method, code, message, data);
    }

    /// <summary>Revert data is either the <c>data</c> string or, on some nodes, <c>data.data</c>.</summary>
    private static byte[]? FindRevertData(JsonElement? data)
    {
        if (data is not { } d) return null;
        var s = d.ValueKind == JsonValueKind.String ? d.GetString()
            : d.ValueKind == JsonValueKind.Object && d.TryGetProperty("data", out var inner) && inner.ValueKind == JsonValueKind.String ? inner.GetString()
            : null;
        if (s is null || !s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            return Hex.Decode(s);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static T Parse<T>(string method, JsonElement result, Func<JsonElement, T> parse)
    {
        try
        {
            return parse(result);
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new RpcTransportException($"{method}: unexpected result {Shorten(result.GetRawText())}: {e.Message}", false, e);
        }
    }

    private static string Shorten(string s) => s.Length <= 200 ? s : s[..197] + "...";
}
