using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OpenGradient.Oracle.Storage;

/// <summary>One embedded migration: <c>NNNN_description.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// Applies the embedded migrations in one transaction under a PostgreSQL advisory lock, so that two nodes starting
/// together never both migrate: the second waits for the lock, then finds every version recorded in
/// <c>oracle.schema_migrations</c> and does nothing.
/// </summary>
public sealed partial class SchemaMigrator
{
    /// <summary>Advisory lock key: "ogoracle" as ASCII in a bigint. Shared by every node on the same database.</summary>
    internal const long AdvisoryLockKey = 0x6f676f7261636c65;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<SchemaMigrator> _logger;
    private readonly TimeProvider _time;

    public SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger, TimeProvider time)
    {
        _dataSource = dataSource;
        _logger = logger;
        _time = time;
    }

    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    /// <summary>Applies what is missing. Returns the versions this call applied (empty when up to date).</summary>
    public Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default) =>
        MigrateAsync(int.MaxValue, cancellationToken);

    /// <summary>Applies what is missing up to and including <paramref name="throughVersion"/>: how a test builds the
    /// database an older release left behind, to migrate it from there.</summary>
    internal async Task<IReadOnlyList<int>> MigrateAsync(int throughVersion, CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = connection.Command("SELECT pg_advisory_xact_lock($1)", Db.Int(AdvisoryLockKey)))
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = connection.Command($"""
            CREATE SCHEMA IF NOT EXISTS {Db.Schema};
            CREATE TABLE IF NOT EXISTS {Db.Schema}.schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL
            );
            """))
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        var applied = new HashSet<int>();
        await using (var cmd = connection.Command($"SELECT version FROM {Db.Schema}.schema_migrations"))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) applied.Add(reader.GetInt32(0));

        var now = new List<int>();
        foreach (var migration in Embedded)
        {
            if (migration.Version > throughVersion) break;
            if (applied.Contains(migration.Version)) continue;
            await using (var cmd = connection.Command(migration.Sql))
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await using (var cmd = connection.Command(
                $"INSERT INTO {Db.Schema}.schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                new NpgsqlParameter { Value = migration.Version }, Db.Text(migration.Name), Db.Time(_time.GetUtcNow())))
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            LogApplied(migration.Version, migration.Name);
            now.Add(migration.Version);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (now.Count == 0) LogUpToDate(Embedded.Count == 0 ? 0 : Embedded[^1].Version);
        return now;
    }

    private static List<Migration> LoadEmbedded()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var list = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("Migrations.", StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal)) continue;
            var name = resource["Migrations.".Length..^".sql".Length];
            var underscore = name.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(name.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                throw new InvalidOperationException($"migration resource '{resource}' is not named NNNN_description.sql");
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            list.Add(new Migration(version, name, reader.ReadToEnd()));
        }
        list.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < list.Count; i++)
            if (list[i].Version == list[i - 1].Version)
                throw new InvalidOperationException($"two migrations share version {list[i].Version}");
        return list;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Applied migration {Version} ({Name})")]
    private partial void LogApplied(int version, string name);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Schema up to date at version {Version}")]
    private partial void LogUpToDate(int version);
}
