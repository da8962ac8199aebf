using System.Numerics;
using OpenGradient.Oracle.Ethereum.Primitives;

namespace OpenGradient.Oracle.Chain.Transactions;

/// <summary>What to send: a call to <see cref="To"/>, or a contract creation when <see cref="To"/> is null.</summary>
/// <param name="To">The contract called; null for a creation.</param>
/// <param name="Data">Calldata, or the init code (bytecode ‖ encoded constructor arguments) of a creation.</param>
/// <param name="Value">Wei sent along.</param>
/// <param name="GasLimit">Fixed gas limit; null means estimate (which also simulates the call).</param>
public sealed record TransactionCall(Address? To, byte[] Data, BigInteger Value = default, ulong? GasLimit = null)
{
    public static TransactionCall Create(byte[] initCode, BigInteger value = default) => new(null, initCode, value);
}
