using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Storage;
using OpenGradient.Oracle.Storage.Tests;
using OpenGradient.Oracle.TestSupport;

// Hangfire keeps its job activator in a process-wide static that each host built replaces: two hosts running at once
// (this class's and JobsHostFixture's) would run each other's jobs in a disposed container. One class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace OpenGradient.Oracle.Jobs.Tests;

/// <summary>Stopping the host lets a running job finish (Jobs:ShutdownTimeout) instead of cancelling it.</summary>
public sealed class ShutdownDrainTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Stopping_the_host_lets_a_running_job_finish_its_inference_and_submission()
    {
        var runner = new SlowRunner(TimeSpan.FromSeconds(2));
        var connectionString = await postgres.CreateDatabaseAsync("drain");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOracleStorage(o => o.ConnectionString = connectionString);
        builder.Services.AddOracleJobs(o =>
        {
            o.ConnectionString = connectionString;
            o.WorkerCount = 2;
            o.QueuePollInterval = TimeSpan.FromMilliseconds(100);
            o.ShutdownTimeout = TimeSpan.FromSeconds(20);
        });
        builder.Services.AddSingleton<IInferenceRunner>(runner);
        var submitter = new RecordingSubmitter();
        builder.Services.AddSingleton<IResultSubmitter>(submitter);
        using var host = builder.Build();
        await host.StartAsync();
        var store = host.Services.GetRequiredService<IRequestStore>();
        var request = SampleRequests.Request(SampleRequests.Key(requestId: Random.Shared.NextInt64(1, long.MaxValue)));
        Assert.True(await store.AddIfAbsentAsync(request));

        host.Services.GetRequiredService<IJobScheduler>().Enqueue([request.Key]);
        await runner.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await host.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.True(runner.Finished, "the running inference was cancelled instead of drained");
        // The job carries the request through submission, so draining it leaves nothing half-done.
        Assert.Equal(RequestStatus.Submitted, (await store.GetAsync(request.Key))!.State.Status);
        Assert.Single(submitter.For(request.Key));
    }

    [Fact]
    public void The_shutdown_timeout_is_validated()
    {
        var o = new OracleJobsOptions { ConnectionString = "Host=x", ShutdownTimeout = TimeSpan.Zero };
        var failures = new OracleJobsOptionsValidator().Validate(null, o).Failures!;
        Assert.Contains(failures, f => f.StartsWith("Jobs:ShutdownTimeout is 00:00:00; use a positive time span", StringComparison.Ordinal));
    }

    private sealed class SlowRunner(TimeSpan duration) : IInferenceRunner
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Finished { get; private set; }

        public async Task<InferenceOutcome> RunAsync(InferenceRequest request, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Task.Delay(duration, cancellationToken);
            Finished = true;
            return InferenceOutcome.Success(request.Input.Reverse().ToArray());
        }
    }
}
