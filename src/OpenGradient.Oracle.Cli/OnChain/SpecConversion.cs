using System.Numerics;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Cli.OnChain;

/// <summary>Between the domain's <see cref="TensorSpec"/> and the registry binding's ABI tuple.</summary>
internal static class SpecConversion
{
    public static ModelRegistryContract.TensorSpec ToAbi(TensorSpec spec) => new(
        (int)spec.ElementType, spec.Decimals, spec.MinValue, spec.MaxValue, spec.Shape.Select(d => (BigInteger)d).ToArray());

    public static TensorSpec FromAbi(ModelRegistryContract.TensorSpec spec) => new(
        (ElementType)(byte)spec.ElementType, (byte)spec.Decimals, (long)spec.MinValue, (long)spec.MaxValue,
        spec.Shape.Select(d => (uint)d).ToArray());
}
