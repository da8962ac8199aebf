using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenGradient.Oracle.Core.Ports;

namespace OpenGradient.Oracle.Storage;

/// <summary>Storage settings. The connection string is <c>ConnectionStrings:Oracle</c>, shared with Jobs (same database).</summary>
public sealed class StorageOptions
{
    public const string ConnectionStringName = "Oracle";

    public string ConnectionString { get; set; } = "";

    /// <summary>Apply migrations when the host starts (default). Turn off only when a deploy step migrates.</summary>
    public bool MigrateOnStart { get; set; } = true;
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            return ValidateOptionsResult.Fail(
                $"ConnectionStrings:{StorageOptions.ConnectionStringName} is empty; set it to a PostgreSQL connection string, e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=oracle");
        try
        {
            _ = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail($"ConnectionStrings:{StorageOptions.ConnectionStringName} is not a valid PostgreSQL connection string: {e.Message}");
        }
        return ValidateOptionsResult.Success;
    }
}

/// <summary>Runs <see cref="SchemaMigrator"/> before the other hosted services start.</summary>
internal sealed class MigrationHostedService(SchemaMigrator migrator, IOptions<StorageOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStart) await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// The node's defaults for its own connections, each applied unless the connection string sets it:
/// <list type="bullet">
/// <item>Npgsql's automatic statement preparation (<c>Max Auto Prepare=64</c>; <c>Max Auto Prepare=0</c> turns it off, e.g.
/// behind a pooler that cannot keep prepared statements). Every statement the node sends is one of a few dozen fixed
/// texts; prepared on a connection after its second use, PostgreSQL no longer parses and plans it on each call, which
/// under load was about 40% of PostgreSQL's CPU time (measured with perf during the LoadBench run).</item>
/// <item>No reset when a connection goes back to the pool (<c>No Reset On Close=true</c>). The stores leave no session
/// state behind (no SET, LISTEN, temporary tables or session-level locks: the migrator's lock is transaction-scoped),
/// and with prepared statements kept Npgsql's reset is seven statements (RESET ALL, UNLISTEN *, ...) sent ahead of the
/// next command after every checkout: about eight thousand per 500 requests in the LoadBench run.</item>
/// </list>
/// </summary>
public static class ConnectionDefaults
{
    /// <summary>Statements kept prepared per connection: more than the node has distinct texts.</summary>
    public const int MaxAutoPrepare = 64;

    /// <summary>Returns <paramref name="connectionString"/> with the defaults above added where it does not set them.</summary>
    public static string Apply(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            tuned.MaxAutoPrepare = MaxAutoPrepare;
            tuned.AutoPrepareMinUsages = 2;
        }
        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose")) tuned.NoResetOnClose = true;
        return tuned.ConnectionString;
    }
}

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the PostgreSQL stores, binding <c>ConnectionStrings:Oracle</c> and the <c>Storage</c> section.</summary>
    public static IHostApplicationBuilder AddOracleStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection("Storage");
        builder.Services.AddOracleStorage(o =>
        {
            section.Bind(o);
            o.ConnectionString = builder.Configuration.GetConnectionString(StorageOptions.ConnectionStringName) ?? o.ConnectionString;
        });
        return builder;
    }

    /// <summary>Registers the PostgreSQL stores, a shared <see cref="NpgsqlDataSource"/> and the migration step.</summary>
    public static IServiceCollection AddOracleStorage(this IServiceCollection services, Action<StorageOptions> configure)
    {
        services.AddOptions<StorageOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var builder = new NpgsqlDataSourceBuilder(
                ConnectionDefaults.Apply(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString));
            builder.UseLoggerFactory(sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance);
            return builder.Build();
        });
        services.TryAddSingleton(sp => new SchemaMigrator(
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetService<ILogger<SchemaMigrator>>() ?? NullLogger<SchemaMigrator>.Instance,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IRequestStore, NpgsqlRequestStore>();
        services.TryAddSingleton<IChainCursorStore, NpgsqlChainCursorStore>();
        services.TryAddSingleton<INonceStore, NpgsqlNonceStore>();
        services.TryAddSingleton<IOutboundTransactionStore, NpgsqlOutboundTransactionStore>();
        // Registered first among hosted services by the caller's ordering: put AddOracleStorage before AddOracleJobs.
        services.AddHostedService<MigrationHostedService>();
        return services;
    }
}
