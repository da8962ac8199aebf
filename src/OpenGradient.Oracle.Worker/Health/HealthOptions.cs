using Microsoft.Extensions.Options;

namespace OpenGradient.Oracle.Worker.Health;

/// <summary>The <c>Health</c> section: thresholds of <c>/health/ready</c>.</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>The listener is stalled when its last completed poll is older than this (and the node has run this long).</summary>
    public TimeSpan ListenerStallAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Time limit for each readiness check (database, chain).</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Below this operator balance (in ETH) readiness reports Degraded and the node logs a warning every
    /// <see cref="WarningInterval"/>: a key that runs dry can no longer pay for fulfilments. 0 turns it off.</summary>
    public decimal MinOperatorBalanceEth { get; set; } = 0.05m;

    /// <summary>How often the node re-runs its health checks in the background and logs what is not healthy.</summary>
    public TimeSpan WarningInterval { get; set; } = TimeSpan.FromMinutes(1);
}

internal sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var problems = new List<string>();
        if (options.ListenerStallAfter <= TimeSpan.Zero)
            problems.Add($"Health:ListenerStallAfter is {options.ListenerStallAfter}; use a positive time span such as 00:02:00");
        if (options.CheckTimeout <= TimeSpan.Zero)
            problems.Add($"Health:CheckTimeout is {options.CheckTimeout}; use a positive time span such as 00:00:05");
        if (options.MinOperatorBalanceEth < 0)
            problems.Add($"Health:MinOperatorBalanceEth is {options.MinOperatorBalanceEth}; use 0 (off) or a positive amount of ETH such as 0.05");
        if (options.WarningInterval <= TimeSpan.Zero)
            problems.Add($"Health:WarningInterval is {options.WarningInterval}; use a positive time span such as 00:01:00");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
