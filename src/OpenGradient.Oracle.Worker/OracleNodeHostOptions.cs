using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;

namespace OpenGradient.Oracle.Worker;

/// <summary>How to build one node host: where its configuration comes from, and hooks for the CLI and tests.</summary>
public sealed class OracleNodeHostOptions
{
    /// <summary>The JSON configuration file (<c>--config</c>). Null: configuration comes from the environment and
    /// <see cref="ConfigurationOverrides"/> only. Relative paths are resolved against the working directory.</summary>
    public string? ConfigFilePath { get; init; }

    /// <summary>Read environment variables prefixed <c>OG_ORACLE__</c> (e.g. <c>OG_ORACLE__Chain__ChainId</c>). On by default.</summary>
    public bool ReadEnvironmentVariables { get; init; } = true;

    /// <summary>Settings applied last, over the file and the environment (keys like <c>Chain:OracleAddress</c>).</summary>
    public IDictionary<string, string?> ConfigurationOverrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>Runs after the host configured Serilog from the <c>Logging</c> section: add sinks, enrichers, levels.</summary>
    public Action<LoggerConfiguration>? ConfigureSerilog { get; init; }

    /// <summary>Extra logging providers that receive every event Serilog lets through (tests capture logs this way).</summary>
    public IList<ILoggerProvider> LoggerProviders { get; init; } = [];

    /// <summary>Runs after every component registered its services, before the host is built.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}
