namespace OpenGradient.Oracle.Cli.Infrastructure;

/// <summary>Exit codes of og-oracle; documented in docs/CLI.md ("Exit codes").</summary>
public static class ExitCodes
{
    /// <summary>Everything asked for happened (for verify: every check holds).</summary>
    public const int Success = 0;

    /// <summary>The command ran, but the answer is "no": a verification check failed, a request failed on-chain.</summary>
    public const int Negative = 1;

    /// <summary>Bad arguments: a missing option, a malformed value.</summary>
    public const int Usage = 2;

    /// <summary>A file, key or configuration problem: wrong password, unreadable keystore, model file hash mismatch.</summary>
    public const int Input = 3;

    /// <summary>The RPC node could not be reached or kept failing: worth retrying later.</summary>
    public const int Transport = 4;

    /// <summary>The chain refused: a transaction or call reverted (the custom error is printed).</summary>
    public const int Reverted = 5;

    /// <summary>Timed out waiting for something (a receipt, a settlement).</summary>
    public const int Timeout = 6;

    /// <summary>An unexpected failure (a bug): the message and stack trace are printed (EX_SOFTWARE of sysexits.h).</summary>
    public const int Unexpected = 70;
}

/// <summary>A failure the user can act on: the message says what is wrong, the hint how to fix it.</summary>
public sealed class CliException(string message, int exitCode, string? hint = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;

    public string? Hint { get; } = hint;
}
