namespace OpenGradient.Oracle.Verification;

/// <summary>What one check found.</summary>
public enum CheckOutcome
{
    /// <summary>The check holds.</summary>
    Passed,

    /// <summary>The check does not hold: the settled result, or the bundle that claims it, is wrong.</summary>
    Failed,

    /// <summary>The check could not be carried out with what the verifier was given (no model file, a file that
    /// does not hash to the model id, a failure reason that describes the operator's machine). Says nothing against
    /// the result, but the result is not verified either.</summary>
    Unverifiable,

    /// <summary>Not run because a check it depends on did not pass.</summary>
    Skipped,
}

/// <summary>One named check and why it came out as it did.</summary>
/// <param name="Name">Stable, machine-readable name (docs/VERIFICATION.md lists them), e.g. <c>input-hash</c> or
/// <c>signature[0]</c>.</param>
/// <param name="Detail">What was compared, with the values, so a failure is actionable.</param>
public sealed record CheckResult(string Name, CheckOutcome Outcome, string Detail)
{
    public bool Passed => Outcome == CheckOutcome.Passed;

    public static CheckResult Pass(string name, string detail) => new(name, CheckOutcome.Passed, detail);

    public static CheckResult Fail(string name, string detail) => new(name, CheckOutcome.Failed, detail);

    public static CheckResult Unverifiable(string name, string detail) => new(name, CheckOutcome.Unverifiable, detail);

    public static CheckResult Skip(string name, string detail) => new(name, CheckOutcome.Skipped, detail);

    public override string ToString() => $"{Symbol(Outcome)} {Name}: {Detail}";

    /// <summary>✓ passed, ✗ failed or could not be checked, · skipped.</summary>
    public static string Symbol(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Passed => "✓",
        CheckOutcome.Skipped => "·",
        _ => "✗",
    };
}

/// <summary>The overall answer.</summary>
public enum Verdict
{
    /// <summary>Every check passed.</summary>
    Verified,

    /// <summary>At least one check failed: the settled result (or the bundle) is wrong.</summary>
    Refuted,

    /// <summary>Nothing failed, but something could not be checked (usually the model file).</summary>
    Incomplete,
}

/// <summary>All checks of one request, in the order they ran.</summary>
public sealed record VerificationReport(System.Numerics.BigInteger RequestId, string Source, IReadOnlyList<CheckResult> Checks)
{
    public Verdict Verdict =>
        Checks.Any(c => c.Outcome == CheckOutcome.Failed) ? Verdict.Refuted
        : Checks.Any(c => c.Outcome is CheckOutcome.Unverifiable or CheckOutcome.Skipped) ? Verdict.Incomplete
        : Verdict.Verified;

    /// <summary>The check named <paramref name="name"/>; throws if there is none (tests and callers name checks exactly).</summary>
    public CheckResult this[string name] =>
        Checks.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"no check named '{name}' (have: {string.Join(", ", Checks.Select(c => c.Name))})");
}
