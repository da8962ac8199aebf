using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenGradient.Oracle.Core.Ports;

namespace OpenGradient.Oracle.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Binds the <c>Jobs</c> section and <c>ConnectionStrings:Oracle</c>, and registers Hangfire on PostgreSQL.</summary>
    public static IHostApplicationBuilder AddOracleJobs(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection("Jobs");
        builder.Services.AddOracleJobs(o =>
        {
            section.Bind(o);
            o.ConnectionString = builder.Configuration.GetConnectionString("Oracle") ?? o.ConnectionString;
        });
        return builder;
    }

    /// <summary>
    /// Registers Hangfire with its storage in schema <c>hangfire</c> of the oracle's database, the request jobs, the
    /// retry policy and <see cref="IJobScheduler"/>. The caller registers <see cref="IRequestStore"/>,
    /// <see cref="IInferenceRunner"/> and <see cref="IResultSubmitter"/>. Register Storage first so migrations run
    /// before the server starts.
    /// </summary>
    public static IServiceCollection AddOracleJobs(this IServiceCollection services, Action<OracleJobsOptions> configure)
    {
        services.AddOptions<OracleJobsOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OracleJobsOptions>, OracleJobsOptionsValidator>());

        // Our own JobStorage instance rather than the static JobStorage.Current, so two hosts in one process (tests)
        // each talk to their own database. Hangfire.NetCore only adds JobStorage if none is registered.
        services.TryAddSingleton<JobStorage>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<OracleJobsOptions>>().Value;
            var storageOptions = StorageOptions(o);
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(WithPreparedStatements(o.ConnectionString), storageOptions), storageOptions);
        });
        services.TryAddSingleton<BoundedRetryFilter>();
        services.TryAddSingleton<RunningJobs>();
        services.TryAddSingleton<OracleJobFilterProvider>();
        services.TryAddSingleton<Hangfire.Common.IJobFilterProvider>(sp => sp.GetRequiredService<OracleJobFilterProvider>());
        services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());

        // The host replaces these with real ones (Prometheus metrics in Worker); Jobs works without.
        services.TryAddSingleton<IOracleMetrics>(NullOracleMetrics.Instance);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<ProcessRequestsJob>();
        services.TryAddScoped<RetriesExhaustedHandler>();
        services.TryAddSingleton<IJobScheduler, HangfireJobScheduler>();
        // Hosted services start in this order: the schema before anything that queues or runs a job.
        services.AddHostedService<HangfireSchemaInstaller>();
        services.AddHostedService<StalledRequestRecovery>();
        services.AddHostedService<ShutdownDrain>();

        services.AddHangfireServer((sp, server) =>
        {
            var o = sp.GetRequiredService<IOptions<OracleJobsOptions>>().Value;
            server.WorkerCount = o.WorkerCount;
            server.SchedulePollingInterval = o.SchedulePollingInterval;
            server.FilterProvider = sp.GetRequiredService<OracleJobFilterProvider>();
            server.ServerName = "oracle-" + Environment.ProcessId;
            // Running jobs keep their cancellation token until the drain gives up (ShutdownDrain), then a little
            // longer before Hangfire aborts them.
            server.StopTimeout = o.ShutdownTimeout;
            server.ShutdownTimeout = o.ShutdownTimeout + TimeSpan.FromSeconds(5);
        });
        return services;
    }

    /// <summary>Hangfire.PostgreSql's settings for the node's job storage.</summary>
    internal static PostgreSqlStorageOptions StorageOptions(OracleJobsOptions o) => new()
    {
        SchemaName = OracleJobsOptions.SchemaName,
        // Installed by HangfireSchemaInstaller when the host starts: the storage's own install runs in its
        // constructor, which the dashboard's mapping calls while the host is built; with the database down
        // that stalled the build for about 30 s (measured) before the node could say what was wrong.
        PrepareSchemaIfNecessary = false,
        QueuePollInterval = o.QueuePollInterval,
        InvisibilityTimeout = o.InvisibilityTimeout,
        UseSlidingInvisibilityTimeout = true,
        // Off, although it would wake idle workers of every node the moment a job is queued. With it on, each fetch
        // starts a LISTEN task and cancels it once the fetch returns, and Npgsql's WaitAsync can deadlock when
        // cancelled (npgsql/npgsql#5975). The worker thread then waits forever with the job it fetched, and the
        // sliding invisibility keeps that job hidden from the others: the job never runs (its requests waited for
        // StalledRequestRecovery), and the node has one worker fewer for good. LoadBench met it in 1 burst in 50 to 200;
        // the thread stacks showed the worker in PostgreSqlJobQueue.Dequeue, waiting on that task. Without it,
        // a job queued by this process still wakes an idle worker at once (the storage signals its own workers on
        // commit); one queued by another process waits for a poll, up to Jobs:QueuePollInterval.
        EnableLongPolling = false,
        // Hangfire.PostgreSql's distributed lock is a row, not a session lock: when the database drops the
        // connection of a process holding one (a restart, a failover), the row stays, and the schedulers that
        // need it (scheduled retries, recurring jobs) wait until it expires, 10 minutes by default. Their lock
        // loop also ignores shutdown, so a stop waited with them (measured: past the 20 s the tests allow).
        // Those locks are held for one scheduler pass, milliseconds; should a pass outlast the expiry, another
        // node may enqueue alongside it, and Hangfire's expected-state check still moves each job once.
        DistributedLockTimeout = OrphanedLockExpiry,
    };

    /// <summary>How old a Hangfire lock row must be before another process may take the lock over (see AddOracleJobs).</summary>
    internal static readonly TimeSpan OrphanedLockExpiry = TimeSpan.FromSeconds(10);

    /// <summary>Npgsql's automatic statement preparation for Hangfire's statements, unless the connection string sets
    /// <c>Max Auto Prepare</c> itself: the same default as Storage's <c>ConnectionDefaults</c> (this project does not
    /// reference Storage). Hangfire sends the same few statements for every job; prepared, PostgreSQL stops parsing and
    /// planning them each time.</summary>
    private static string WithPreparedStatements(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare")) return connectionString;
        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64, AutoPrepareMinUsages = 2 }.ConnectionString;
    }
}
