using System.Numerics;
using OpenGradient.Oracle.Ethereum.Rpc;

namespace OpenGradient.Oracle.Chain.Transactions;

/// <summary>EIP-1559 fees for one transaction.</summary>
public sealed record Fees(BigInteger MaxFeePerGas, BigInteger MaxPriorityFeePerGas);

/// <summary>
/// Picks EIP-1559 fees: tip = the node's suggestion (eth_maxPriorityFeePerGas, else 1 gwei), max fee = 2 × next base
/// fee + tip, which survives six consecutive full blocks of base-fee growth before the transaction stops being
/// includable. <see cref="MaxFeePerGasCap"/> bounds what an operator is willing to pay.
/// </summary>
public sealed class FeePolicy
{
    private static readonly BigInteger OneGwei = 1_000_000_000;

    /// <summary>Refuse to sign above this max fee per gas (wei); null means no cap.</summary>
    public BigInteger? MaxFeePerGasCap { get; init; }

    public async Task<Fees> SuggestAsync(EthRpcClient rpc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        var history = await rpc.FeeHistoryAsync(1, BlockTag.Latest, [], cancellationToken).ConfigureAwait(false);
        var nextBaseFee = history.BaseFeePerGas.Count > 0 ? history.BaseFeePerGas[^1] : BigInteger.Zero;
        BigInteger tip;
        try
        {
            tip = await rpc.MaxPriorityFeePerGasAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcErrorException)
        {
            tip = OneGwei; // older nodes do not implement eth_maxPriorityFeePerGas
        }
        var maxFee = nextBaseFee * 2 + tip;
        if (MaxFeePerGasCap is { } cap && maxFee > cap)
        {
            if (nextBaseFee + tip > cap)
                throw new FeeCapExceededException(nextBaseFee + tip, cap);
            maxFee = cap; // still includable now, with less headroom
        }
        return new Fees(maxFee, tip);
    }
}

/// <summary>The chain's current fees exceed the configured cap; the transaction was not signed.</summary>
public sealed class FeeCapExceededException : Exception
{
    public FeeCapExceededException(BigInteger needed, BigInteger cap)
        : base($"the chain needs at least {needed} wei per gas now, above the configured cap of {cap}; not sending")
    {
        Needed = needed;
        Cap = cap;
    }

    public FeeCapExceededException() { }

    public FeeCapExceededException(string message) : base(message) { }

    public FeeCapExceededException(string message, Exception inner) : base(message, inner) { }

    public BigInteger Needed { get; }

    public BigInteger Cap { get; }
}
