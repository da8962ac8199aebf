using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace OpenGradient.Oracle.Worker.Observability;

/// <summary>
/// Serilog to the console, levels from the standard <c>Logging:LogLevel</c> section (<c>Default</c> and per-category
/// prefixes), <c>Logging:Format</c> <c>text</c> (default) or <c>json</c>. Log scopes (request key, model id, tx hash set by
/// the jobs) become properties printed on every line.
/// </summary>
internal static class NodeLogging
{
    private const string TextTemplate =
        "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}";

    // Quiet by default: framework chatter at Information drowns the request lines.
    private static readonly Dictionary<string, LogEventLevel> DefaultOverrides = new(StringComparer.Ordinal)
    {
        ["Microsoft"] = LogEventLevel.Warning,
        ["Microsoft.Hosting.Lifetime"] = LogEventLevel.Information,
        ["System.Net.Http"] = LogEventLevel.Warning,
        ["Npgsql"] = LogEventLevel.Warning,
        ["Hangfire"] = LogEventLevel.Warning,
    };

    /// <summary>Reads the section; returns the problems (each naming the key) instead of throwing.</summary>
    public static List<string> Validate(IConfiguration configuration)
    {
        var problems = new List<string>();
        foreach (var (key, value) in LevelSettings(configuration))
            if (!TryParse(value, out _))
                problems.Add($"Logging:LogLevel:{key} is '{value}'; use Trace, Debug, Information, Warning, Error, Critical or None");
        var format = configuration["Logging:Format"];
        if (format is not (null or "" or "text" or "json"))
            problems.Add($"Logging:Format is '{format}'; use text or json");
        return problems;
    }

    public static void Configure(IServiceCollection services, IConfiguration configuration, OracleNodeHostOptions options)
    {
        foreach (var provider in options.LoggerProviders) services.AddSingleton<ILoggerProvider>(provider);
        services.AddSerilog((_, logger) =>
        {
            logger.MinimumLevel.Information().Enrich.FromLogContext();
            foreach (var (category, level) in DefaultOverrides) logger.MinimumLevel.Override(category, level);
            foreach (var (key, value) in LevelSettings(configuration))
            {
                TryParse(value, out var level);
                if (key == "Default") logger.MinimumLevel.Is(level);
                else logger.MinimumLevel.Override(key, level);
            }
            if (configuration["Logging:Format"] == "json") logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            else logger.WriteTo.Console(outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            options.ConfigureSerilog?.Invoke(logger);
        }, preserveStaticLogger: true, writeToProviders: options.LoggerProviders.Count > 0);
    }

    private static IEnumerable<(string Key, string Value)> LevelSettings(IConfiguration configuration) =>
        configuration.GetSection("Logging:LogLevel").GetChildren()
            .Where(c => c.Value is not null)
            .Select(c => (c.Key, c.Value!));

    private static bool TryParse(string value, out LogEventLevel level)
    {
        level = LogEventLevel.Information;
        if (!Enum.TryParse<LogLevel>(value, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(value, out _))
            return false;
        // Serilog has no "None": Fatal is the closest (only crashes get through).
        level = parsed switch
        {
            LogLevel.Trace => LogEventLevel.Verbose,
            LogLevel.Debug => LogEventLevel.Debug,
            LogLevel.Information => LogEventLevel.Information,
            LogLevel.Warning => LogEventLevel.Warning,
            LogLevel.Error => LogEventLevel.Error,
            _ => LogEventLevel.Fatal,
        };
        return true;
    }
}
