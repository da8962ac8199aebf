using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenGradient.Oracle.Chain;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Jobs;
using OpenGradient.Oracle.Storage;
using OpenGradient.Oracle.Worker.Dashboard;
using OpenGradient.Oracle.Worker.Health;
using OpenGradient.Oracle.Worker.Observability;

namespace OpenGradient.Oracle.Worker;

/// <summary>
/// The composition root of an oracle node: configuration (file, <c>OG_ORACLE__</c> environment, overrides), logging,
/// storage, jobs, chain, inference, dashboard, health and metrics. Program.cs, <c>og-oracle node run</c> and the
/// integration tests all host the node through this.
/// </summary>
public static class OracleNodeHost
{
    /// <summary>Prefix of environment variables that override the file: <c>OG_ORACLE__Chain__ChainId=1</c>.</summary>
    public const string EnvironmentPrefix = "OG_ORACLE__";

    /// <summary>
    /// Builds the node without starting it. Every setting is validated here, so a returned host has a usable
    /// configuration; the first network contact (database, RPC) happens in <c>StartAsync</c>.
    /// </summary>
    /// <exception cref="OracleNodeConfigurationException">the configuration is missing or wrong; the message names each key.</exception>
    public static WebApplication Build(OracleNodeHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        LoadConfiguration(builder.Configuration, options);

        var problems = new List<string>();
        var dashboard = new DashboardOptions();
        builder.Configuration.GetSection(DashboardOptions.SectionName).Bind(dashboard);
        problems.AddRange(DashboardBinding.Validate(dashboard));
        problems.AddRange(NodeLogging.Validate(builder.Configuration));
        if (builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
            problems.Add("Kestrel:Endpoints is not supported; set the listen addresses with Dashboard:Urls");
        if (problems.Count > 0) throw new OracleNodeConfigurationException(problems);

        builder.Logging.ClearProviders();
        NodeLogging.Configure(builder.Services, builder.Configuration, options);
        builder.WebHost.UseUrls(DashboardBinding.SplitUrls(dashboard.Urls));
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(15));
        // The host waits for the jobs' drain (Jobs:ShutdownTimeout) and then for everything else to stop.
        // Read from configuration, not IOptions<OracleJobsOptions>: resolving those here would validate them before
        // IStartupValidator can report every configuration problem at once (a wrong value is reported there).
        var drain = TimeSpan.TryParse(builder.Configuration["Jobs:ShutdownTimeout"], System.Globalization.CultureInfo.InvariantCulture, out var configured)
                    && configured > TimeSpan.Zero ? configured : new OracleJobsOptions().ShutdownTimeout;
        builder.Services.PostConfigure<HostOptions>(host =>
        {
            var needed = drain + TimeSpan.FromSeconds(15);
            if (host.ShutdownTimeout < needed) host.ShutdownTimeout = needed;
        });

        AddObservability(builder, dashboard);
        builder.AddOracleStorage();
        builder.AddOracleJobs();
        builder.AddOracleInference();
        builder.AddOracleChain();
        options.ConfigureServices?.Invoke(builder.Services);

        WebApplication app;
        try
        {
            app = builder.Build();
            // ValidateOnStart would report these at StartAsync; checking now keeps every configuration error in Build.
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (Exception e) when (ConfigurationProblems(e) is { Count: > 0 } found)
        {
            throw new OracleNodeConfigurationException(found, e);
        }

        app.Services.GetRequiredService<PrometheusOracleMetrics>().RefreshFromStore(
            app.Services.GetRequiredService<IRequestStore>(), app.Services.GetRequiredService<Hangfire.JobStorage>(),
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenGradient.Oracle.Worker.Metrics"));
        app.MapOracleDashboard();
        return app;
    }

    /// <summary>Builds and starts the node; returns once it serves requests. Dispose the result to stop it.</summary>
    /// <exception cref="OracleNodeConfigurationException">the configuration is missing or wrong (found at build or at start).</exception>
    public static async Task<WebApplication> StartAsync(OracleNodeHostOptions options, CancellationToken cancellationToken = default)
    {
        var app = Build(options);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return app;
        }
        catch (Exception e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            if (ConfigurationProblems(e) is { Count: > 0 } found) throw new OracleNodeConfigurationException(found, e);
            throw;
        }
    }

    /// <summary>Runs the node until <paramref name="cancellationToken"/> fires or the process is asked to stop (Ctrl+C, SIGTERM).</summary>
    public static async Task RunAsync(OracleNodeHostOptions options, CancellationToken cancellationToken = default)
    {
        var app = await StartAsync(options, cancellationToken).ConfigureAwait(false);
        await using (app.ConfigureAwait(false))
        {
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void LoadConfiguration(ConfigurationManager configuration, OracleNodeHostOptions options)
    {
        // Only our sources: no appsettings.json from the working directory, no unprefixed environment variables.
        configuration.Sources.Clear();
        if (options.ConfigFilePath is { } path)
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full))
                throw new OracleNodeConfigurationException($"the configuration file '{full}' does not exist (--config)");
            try
            {
                configuration.AddJsonFile(full, optional: false, reloadOnChange: false);
            }
            catch (InvalidDataException e)
            {
                throw new OracleNodeConfigurationException($"the configuration file '{full}' is not valid JSON: {e.InnerException?.Message ?? e.Message}", e);
            }
        }
        if (options.ReadEnvironmentVariables) configuration.AddEnvironmentVariables(EnvironmentPrefix);
        configuration.AddInMemoryCollection(options.ConfigurationOverrides);
    }

    private static void AddObservability(WebApplicationBuilder builder, DashboardOptions dashboard)
    {
        builder.Services.AddSingleton(Options.Create(dashboard));
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.Services.AddSingleton<PrometheusOracleMetrics>();
        // Before AddOracleJobs, whose TryAdd of the null metrics then does nothing.
        builder.Services.AddSingleton<IOracleMetrics>(sp => sp.GetRequiredService<PrometheusOracleMetrics>());

        builder.Services.AddOptions<HealthOptions>().Bind(builder.Configuration.GetSection(HealthOptions.SectionName)).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());
        builder.Services.AddSingleton<DatabaseHealthCheck>();
        builder.Services.AddSingleton<ChainHealthCheck>();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [DashboardEndpoints.ReadyTag])
            .AddCheck<ChainHealthCheck>("chain", tags: [DashboardEndpoints.ReadyTag]);
        builder.Services.Configure<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckServiceOptions>(o =>
        {
            var timeout = builder.Configuration.GetValue<TimeSpan?>($"{HealthOptions.SectionName}:{nameof(HealthOptions.CheckTimeout)}")
                          ?? new HealthOptions().CheckTimeout;
            foreach (var registration in o.Registrations) registration.Timeout = timeout;
        });
        builder.Services.AddSingleton<IHealthCheckPublisher, HealthWarningPublisher>();
        builder.Services.Configure<HealthCheckPublisherOptions>(o =>
        {
            o.Period = builder.Configuration.GetValue<TimeSpan?>($"{HealthOptions.SectionName}:{nameof(HealthOptions.WarningInterval)}")
                       ?? new HealthOptions().WarningInterval;
            o.Predicate = registration => registration.Tags.Contains(DashboardEndpoints.ReadyTag);
        });
    }

    /// <summary>The messages of option validation failures inside <paramref name="e"/> (empty when it is something else).</summary>
    private static List<string> ConfigurationProblems(Exception e) => e switch
    {
        OptionsValidationException v => [.. v.Failures],
        AggregateException a => a.InnerExceptions.SelectMany(ConfigurationProblems).ToList(),
        OracleNodeConfigurationException c => [.. c.Problems],
        _ when e.InnerException is { } inner => ConfigurationProblems(inner),
        _ => [],
    };
}
