using System.Globalization;
using System.Numerics;
using OpenGradient.Oracle.Core.Models;

namespace OpenGradient.Oracle.Cli.Infrastructure;

/// <summary>
/// Tensors as people type and read them. Input: comma- or space-separated numbers in the model's real units
/// (<c>0.5</c> with 4 decimals is q = 5000), or raw on-chain integers with <c>raw: true</c>. Output: real units.
/// </summary>
public static class TensorText
{
    /// <summary>Parses <paramref name="text"/> into raw elements q for <paramref name="spec"/>.</summary>
    /// <param name="checkRange">Refuse values outside [minValue, maxValue] (the node would answer INPUT_OUT_OF_RANGE).</param>
    /// <exception cref="CliException">exit code 2, naming the element and the fix.</exception>
    public static long[] Parse(string text, TensorSpec spec, bool raw, bool checkRange)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = (text ?? "").Split([',', ' ', '\t', '\n', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != spec.ElementCount)
            throw new CliException($"--input has {parts.Length} values; the model's input tensor [{string.Join(",", spec.Shape)}] takes {spec.ElementCount}",
                ExitCodes.Usage, "give one number per element, comma-separated, row-major");
        var values = new long[parts.Length];
        var decimals = raw ? 0 : spec.Decimals;
        for (var i = 0; i < parts.Length; i++)
        {
            if (!FixedPointText.TryParse(parts[i], decimals, out var q))
                throw new CliException(
                    raw ? $"--input element {i} ({parts[i]}) is not an integer"
                        : $"--input element {i} ({parts[i]}) is not a number with at most {spec.Decimals} decimals",
                    ExitCodes.Usage,
                    raw ? "--raw takes the on-chain integers" : $"the model's input has {spec.Decimals} decimals; round the value, or pass raw integers with --raw");
            if (q < spec.ElementType.MinValue() || q > spec.ElementType.MaxValue())
                throw new CliException($"--input element {i} ({parts[i]}) does not fit the input element type {spec.ElementType}", ExitCodes.Usage);
            if (checkRange && (q < spec.MinValue || q > spec.MaxValue))
                throw new CliException(
                    $"--input element {i} ({parts[i]}) is outside the model's input range [{Real(spec.MinValue, spec)}, {Real(spec.MaxValue, spec)}]",
                    ExitCodes.Usage, "fix the value, or pass --unchecked to send it anyway (the node will report INPUT_OUT_OF_RANGE)");
            values[i] = (long)q;
        }
        return values;
    }

    /// <summary>One raw element in real units.</summary>
    public static string Real(long q, TensorSpec spec) => FixedPointText.Format(q, spec.Decimals);

    /// <summary>All elements in real units, comma-separated.</summary>
    public static string Real(IEnumerable<long> values, TensorSpec spec) => string.Join(",", values.Select(v => Real(v, spec)));

    /// <summary>A short form for a table cell: every value for small tensors, else the largest with its index.</summary>
    public static string Summary(IReadOnlyList<long> values, TensorSpec spec)
    {
        if (values.Count <= 4) return string.Join(", ", values.Select(v => Real(v, spec)));
        var best = 0;
        for (var i = 1; i < values.Count; i++)
            if (values[i] > values[best]) best = i;
        return $"argmax {best} = {Real(values[best], spec)} (of {values.Count})";
    }

    public static string Raw(IEnumerable<long> values) => string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));

    internal static BigInteger[] ToBig(IEnumerable<long> values) => values.Select(v => (BigInteger)v).ToArray();
}
