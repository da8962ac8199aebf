using System.Globalization;
using Microsoft.Extensions.Options;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Chain.Hosting;

/// <summary>Settings of the <c>Chain</c> section: which chain and oracle to serve and how to talk to it.</summary>
public sealed class ChainOptions
{
    public const string SectionName = "Chain";

    /// <summary>JSON-RPC endpoints, the first one preferred; a failing one (connection error, HTTP 429/5xx) hands over to
    /// the next, and <see cref="RpcHealthCheckInterval"/> probes bring calls back to the primary once it recovers.</summary>
    public IList<string> RpcUrls { get; } = [];

    /// <summary>Expected chain id; when set, start-up fails if eth_chainId answers something else.</summary>
    public ulong? ChainId { get; set; }

    /// <summary>The InferenceOracle contract.</summary>
    public string OracleAddress { get; set; } = "";

    /// <summary>First block to read when no cursor is stored (the oracle's deployment block is a good value).</summary>
    public ulong? StartBlock { get; set; }

    /// <summary>Blocks a log must be buried under before it is acted on (0 = act on the head).</summary>
    public int Confirmations { get; set; }

    /// <summary>How far back the listener re-reads when the block under its cursor was replaced (a reorg).</summary>
    public int ReorgRewindBlocks { get; set; } = 64;

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest block range of one eth_getLogs call.</summary>
    public int MaxBlockRange { get; set; } = 2000;

    /// <summary>Most fulfilments in one fulfilBatch transaction. A batch carries what is queued when it is formed, so a
    /// larger maximum adds no wait; under load it means fewer transactions (each with its 21,000 base gas, nonce, receipt
    /// and block), which on the devnet settled about a tenth more requests per second at 64 than at 16. The operator's
    /// balance must cover the batch's gas limit × max fee (a batch whose modelled gas exceeds the per-transaction cap is
    /// split).</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>How long the submitter waits for more results before sending a batch.</summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Refuse to sign above this max fee per gas (gwei); null means no cap.</summary>
    public decimal? MaxFeePerGasGwei { get; set; }

    /// <summary>A transaction not mined after this long is bumped (see <see cref="GasBumpPercent"/>).</summary>
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A transaction still pending after the chain has grown by this many blocks since it was (last) sent is
    /// bumped too, whichever of this and <see cref="ReceiptTimeout"/> comes first: blocks that keep leaving it out say
    /// its fees are too low. 0 turns the block count off.</summary>
    public int BumpAfterBlocks { get; set; } = 5;

    /// <summary>When a transaction is not mined within <see cref="ReceiptTimeout"/>, it is replaced by one with the
    /// same nonce and fees raised by this percentage (at least the market's, at most <see cref="MaxFeePerGasGwei"/>).
    /// 0 rebroadcasts the same bytes instead.</summary>
    public int GasBumpPercent { get; set; } = 20;

    /// <summary>How often pending transactions are checked for receipts.</summary>
    public TimeSpan ReceiptPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the finality followers (challenges to answer, provisional results to finalize) read new
    /// blocks; never more often than <see cref="PollInterval"/>. Their deadlines are an hour long (CHALLENGE_WINDOW,
    /// REEXECUTION_WINDOW), so a few seconds cost nothing, while polling them as often as the request listener cost the
    /// chain four calls per follower for every new block.</summary>
    public TimeSpan FinalityPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The pace of the finality followers: <see cref="FinalityPollInterval"/>, or <see cref="PollInterval"/>
    /// when that is longer.</summary>
    internal TimeSpan FinalityIdleDelay => FinalityPollInterval > PollInterval ? FinalityPollInterval : PollInterval;

    /// <summary>Limit of one JSON-RPC call.</summary>
    public TimeSpan RpcTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest back-off after repeated RPC failures in the background loops.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often every URL of <see cref="RpcUrls"/> is probed (eth_chainId, eth_blockNumber) in the background.</summary>
    public TimeSpan RpcHealthCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An endpoint more than this many blocks behind the best one is used only after the up-to-date ones.</summary>
    public int RpcMaxLagBlocks { get; set; } = 10;

    internal Uri PrimaryRpcUrl => new(RpcUrls[0]);

    internal Address Oracle => Address.Parse(OracleAddress);

    internal System.Numerics.BigInteger? MaxFeePerGasWei =>
        MaxFeePerGasGwei is { } gwei ? new System.Numerics.BigInteger(decimal.Round(gwei * 1_000_000_000m, 0)) : null;
}

internal sealed class ChainOptionsValidator : IValidateOptions<ChainOptions>
{
    public ValidateOptionsResult Validate(string? name, ChainOptions o)
    {
        var errors = new List<string>();
        if (o.RpcUrls.Count == 0)
            errors.Add("Chain:RpcUrls is empty; set at least one JSON-RPC URL, e.g. [\"http://127.0.0.1:8545\"]");
        for (var i = 0; i < o.RpcUrls.Count; i++)
        {
            if (!Uri.TryCreate(o.RpcUrls[i], UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"Chain:RpcUrls:{i} is '{o.RpcUrls[i]}'; use an http:// or https:// URL"));
        }
        if (o.RpcUrls.Count > 1 && o.ChainId is null)
            errors.Add("Chain:ChainId is not set but Chain:RpcUrls lists several endpoints; set it (e.g. 31337 for a Hardhat devnet) so a standby serving another chain is recognised and never used");
        if (o.RpcMaxLagBlocks < 0)
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Chain:RpcMaxLagBlocks is {o.RpcMaxLagBlocks}; use 0 or more"));
        if (!Address.TryParse(o.OracleAddress ?? "", out _))
            errors.Add($"Chain:OracleAddress is '{o.OracleAddress}'; set it to the InferenceOracle contract's 0x address (see deployment.json)");
        if (o.Confirmations is < 0 or > 10_000)
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Chain:Confirmations is {o.Confirmations}; use 0..10000"));
        if (o.ReorgRewindBlocks < 1)
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Chain:ReorgRewindBlocks is {o.ReorgRewindBlocks}; use at least 1"));
        if (o.MaxBlockRange < 1)
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Chain:MaxBlockRange is {o.MaxBlockRange}; use at least 1"));
        if (o.MaxBatchSize is < 1 or > 256)
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Chain:MaxBatchSize is {o.MaxBatchSize}; use 1..256"));
        if (o.BatchWindow < TimeSpan.Zero)
            errors.Add("Chain:BatchWindow must not be negative");
        if (o.BumpAfterBlocks is < 0 or > 10000)
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Chain:BumpAfterBlocks is {o.BumpAfterBlocks}; use 0 (off) or 1..10000"));
        if (o.GasBumpPercent != 0 && o.GasBumpPercent is < 10 or > 1000)
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"Chain:GasBumpPercent is {o.GasBumpPercent}; use 0 (no bumping) or 10..1000 (nodes refuse replacements below +10%)"));
        if (o.MaxFeePerGasGwei is <= 0)
            errors.Add("Chain:MaxFeePerGasGwei must be positive (or null for no cap)");
        foreach (var (key, value) in new[]
                 {
                     ("PollInterval", o.PollInterval), ("ReceiptTimeout", o.ReceiptTimeout), ("ReceiptPollInterval", o.ReceiptPollInterval),
                     ("FinalityPollInterval", o.FinalityPollInterval),
                     ("RpcTimeout", o.RpcTimeout), ("MaxRetryDelay", o.MaxRetryDelay),
                     ("RpcHealthCheckInterval", o.RpcHealthCheckInterval),
                 })
        {
            if (value <= TimeSpan.Zero) errors.Add($"Chain:{key} must be a positive time span, e.g. \"00:00:01\"");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
