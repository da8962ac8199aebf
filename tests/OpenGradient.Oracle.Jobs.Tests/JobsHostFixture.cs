using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Storage;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Jobs.Tests;

/// <summary>A real host: PostgreSQL stores, Hangfire server on PostgreSqlStorage, fake runner and submitter.</summary>
public sealed class JobsHostFixture : IAsyncLifetime
{
    public const int RetryAttempts = 2;

    public const int RequestsPerJob = 4;

    private IHost? _host;

    public PostgresServer Server { get; } = new();

    internal FakeRunner Runner { get; } = new();

    internal RecordingSubmitter Submitter { get; } = new();

    public IServiceProvider Services => _host!.Services;

    /// <summary>The database the host's stores and Hangfire use.</summary>
    public string ConnectionString { get; private set; } = "";

    public IRequestStore Store => Services.GetRequiredService<IRequestStore>();

    public IJobScheduler Scheduler => Services.GetRequiredService<IJobScheduler>();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)Server).InitializeAsync();
        var connectionString = ConnectionString = await Server.CreateDatabaseAsync("jobs");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOracleStorage(o => o.ConnectionString = connectionString);
        builder.Services.AddOracleJobs(o =>
        {
            o.ConnectionString = connectionString;
            o.RetryAttempts = RetryAttempts;
            o.RetryDelaySeconds.Add(0.05);
            o.WorkerCount = 2;
            o.RequestsPerJob = RequestsPerJob;
            o.QueuePollInterval = TimeSpan.FromMilliseconds(100);
            o.SchedulePollingInterval = TimeSpan.FromMilliseconds(100);
        });
        builder.Services.AddSingleton<IInferenceRunner>(Runner);
        builder.Services.AddSingleton<IResultSubmitter>(Submitter);
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _host.StopAsync(cts.Token);
            _host.Dispose();
        }
        await Server.DisposeAsync();
    }

    public async Task<StoredRequest> WaitForAsync(RequestKey key, Func<StoredRequest, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var s = await Store.GetAsync(key);
            if (s is not null && done(s)) return s;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"request {key} did not get there; last state {s?.State.Status} {s?.State.Outcome}");
            await Task.Delay(50);
        }
    }
}

/// <summary>
/// Every job test shares one host: Hangfire keeps its job activator in static state, so two hosts in one process would
/// run each other's jobs against the wrong database.
/// </summary>
[CollectionDefinition(Name)]
public sealed class JobsHostCollection : ICollectionFixture<JobsHostFixture>
{
    public const string Name = "jobs host";
}
