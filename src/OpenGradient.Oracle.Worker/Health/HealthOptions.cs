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
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
