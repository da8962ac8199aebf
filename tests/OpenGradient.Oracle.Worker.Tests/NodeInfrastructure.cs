using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.TestSupport;
using Serilog.Core;
using Serilog.Events;

namespace OpenGradient.Oracle.Worker.Tests;

[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<NodeInfrastructure>
{
    public const string Name = "node";
}

/// <summary>One real PostgreSQL cluster and one real Hardhat devnet shared by the host tests; each host gets its own database.</summary>
public sealed class NodeInfrastructure : IAsyncLifetime
{
    public PostgresServer Postgres { get; } = new();

    public HardhatNode Chain { get; } = new();

    public async Task InitializeAsync()
    {
        await Task.WhenAll(((IAsyncLifetime)Postgres).InitializeAsync(), ((IAsyncLifetime)Chain).InitializeAsync());
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)Chain).DisposeAsync();
        await Postgres.DisposeAsync();
    }

    /// <summary>Starts a node on a fresh database, from a config file that <paramref name="configure"/> may change.</summary>
    internal async Task<StartedNode> StartNodeAsync(
        Action<NodeConfig>? configure = null, Action<IServiceCollection>? services = null, PostgresServer? postgres = null)
    {
        var connectionString = await (postgres ?? Postgres).CreateDatabaseAsync("worker");
        var config = new NodeConfig(connectionString, Chain.Url);
        configure?.Invoke(config);
        var events = new ConcurrentQueue<LogEvent>();
        var providerLines = new ConcurrentQueue<string>();
        var options = new OracleNodeHostOptions
        {
            ConfigFilePath = config.Write(),
            ReadEnvironmentVariables = false,
            ConfigureSerilog = logger => logger.WriteTo.Sink(new CapturingSink(events)),
            LoggerProviders = [new CapturingLoggerProvider(providerLines)],
            ConfigureServices = services,
        };
        try
        {
            var app = await OracleNodeHost.StartAsync(options);
            return new StartedNode(app, config, connectionString, events, providerLines);
        }
        catch
        {
            config.Dispose();
            throw;
        }
    }
}

/// <summary>A started node and an HTTP client pointed at its dashboard.</summary>
internal sealed class StartedNode(
    WebApplication app, NodeConfig config, string connectionString, ConcurrentQueue<LogEvent> events, ConcurrentQueue<string> providerLines)
    : IAsyncDisposable
{
    public WebApplication App { get; } = app;

    public NodeConfig Config { get; } = config;

    /// <summary>The node's own database (ConnectionStrings:Oracle).</summary>
    public string ConnectionString { get; } = connectionString;

    public IServiceProvider Services => App.Services;

    public Uri BaseAddress { get; } = new(app.Urls.First());

    public HttpClient Http { get; } = new() { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Every Serilog event (through the ConfigureSerilog hook).</summary>
    public ConcurrentQueue<LogEvent> LogEvents { get; } = events;

    /// <summary>Every formatted line the extra ILoggerProvider received.</summary>
    public ConcurrentQueue<string> ProviderLines { get; } = providerLines;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
        Config.Dispose();
    }
}

internal sealed class CapturingSink(ConcurrentQueue<LogEvent> events) : ILogEventSink
{
    public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);
}

internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(category + ": " + formatter(state, exception));
    }
}
