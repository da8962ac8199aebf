using System.Globalization;
using System.Numerics;

namespace OpenGradient.Oracle.Cli.Infrastructure;

/// <summary>
/// Ether amounts on the command line. A bare integer is wei (like every contract parameter); a unit suffix says
/// otherwise: <c>1.5eth</c>, <c>20gwei</c>, <c>1000wei</c>. A bare decimal such as <c>0.5</c> is refused: guessing
/// its unit would risk sending 10^18 times too much or too little.
/// </summary>
public static class WeiAmount
{
    public const string Syntax = "an integer in wei, or a number with a unit: 1.5eth, 20gwei, 1000wei";

    private static readonly (string Suffix, int Decimals)[] Units = [("ether", 18), ("eth", 18), ("gwei", 9), ("wei", 0)];

    /// <exception cref="CliException">not an amount (exit code 2), naming the option.</exception>
    public static BigInteger Parse(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse(text, out var wei, out var problem)) return wei;
        throw new CliException($"{option} {text}: {problem}", ExitCodes.Usage, $"write {Syntax}");
    }

    public static bool TryParse(string text, out BigInteger wei, out string problem)
    {
        wei = BigInteger.Zero;
        var s = (text ?? "").Trim().Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var decimals = 0;
        var hasUnit = false;
        foreach (var (suffix, d) in Units)
        {
            if (!s.EndsWith(suffix, StringComparison.Ordinal)) continue;
            s = s[..^suffix.Length].TrimEnd();
            decimals = d;
            hasUnit = true;
            break;
        }
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? s : s[..dot];
        var fraction = dot < 0 ? "" : s[(dot + 1)..];
        if (whole.Length == 0 && fraction.Length == 0 || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit))
        {
            problem = "not an amount";
            return false;
        }
        if (dot >= 0 && !hasUnit)
        {
            problem = "a decimal amount needs a unit";
            return false;
        }
        fraction = fraction.TrimEnd('0');
        if (fraction.Length > decimals)
        {
            problem = "smaller than 1 wei";
            return false;
        }
        wei = BigInteger.Parse((whole.Length == 0 ? "0" : whole) + fraction.PadRight(decimals, '0'), CultureInfo.InvariantCulture);
        problem = "";
        return true;
    }

    /// <summary>"1.5 ETH" for whole-ish amounts, always followed by the exact wei.</summary>
    public static string Format(BigInteger wei) => $"{Ether(wei)} ETH ({wei} wei)";

    /// <summary>Exact decimal ether, trailing zeros trimmed.</summary>
    public static string Ether(BigInteger wei) => FixedPointText.Format(wei, 18);
}
