using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace OpenGradient.Oracle.TestSupport;

/// <summary>
/// A throwaway PostgreSQL cluster on a free loopback port under <c>&lt;repo&gt;/.local/test-pg-&lt;random&gt;</c>, started
/// with <c>scripts/lib/postgres.sh</c> (PG_FAST=1) and deleted on dispose. Use as <c>IClassFixture&lt;PostgresServer&gt;</c>
/// and call <see cref="CreateDatabaseAsync"/> once per test class so classes never see each other's rows.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime, IAsyncDisposable
{
    private static readonly string Script = Path.Combine(RepoPaths.Root, "scripts", "lib", "postgres.sh");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _databases;
    private bool _started;
    private int _disposed;

    public PostgresServer()
    {
        DataDirectory = Path.Combine(RepoPaths.Root, ".local", "test-pg-" + Guid.NewGuid().ToString("N")[..12]);
    }

    public string DataDirectory { get; }

    public int Port { get; private set; }

    /// <summary>Connection string for the maintenance database <c>postgres</c>.</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        Pooling = true,
        Timeout = 5,
    }.ConnectionString;

    async Task IAsyncLifetime.InitializeAsync() => await StartAsync().ConfigureAwait(false);

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync().ConfigureAwait(false);

    /// <summary>Starts the cluster (first call initialises it). Calling it again after <see cref="StopAsync"/> restarts it on the same port.</summary>
    public async Task StartAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Port != 0)
            {
                await RunScriptAsync($"PG_FAST=1 pg_start '{DataDirectory}' {Port}").ConfigureAwait(false);
                _started = true;
                return;
            }
            // A port found free can be taken before the server binds it: try a few.
            Exception? last = null;
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var port = FreePort();
                try
                {
                    await RunScriptAsync($"PG_FAST=1 pg_start '{DataDirectory}' {port}").ConfigureAwait(false);
                    Port = port;
                    _started = true;
                    return;
                }
                catch (InvalidOperationException e)
                {
                    last = e;
                }
            }
            throw last!;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the server, keeping its data: use with <see cref="StartAsync"/> to simulate an outage.</summary>
    public async Task StopAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            NpgsqlConnection.ClearAllPools();
            await RunScriptAsync($"pg_stop '{DataDirectory}'").ConfigureAwait(false);
            _started = false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Creates a fresh empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? prefix = null)
    {
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{prefix ?? "test"}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..8]}").ToLowerInvariant();
        if (!name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            throw new ArgumentException("prefix must be letters, digits and underscores", nameof(prefix));
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        // Identifier checked above; CREATE DATABASE takes no parameters.
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await cmd.ExecuteNonQueryAsync().ConfigureAwait(false);
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try
        {
            if (_started || Directory.Exists(DataDirectory))
            {
                NpgsqlConnection.ClearAllPools();
                await RunScriptAsync($"pg_stop '{DataDirectory}'").ConfigureAwait(false);
            }
        }
        finally
        {
            _started = false;
            if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
            if (File.Exists(DataDirectory + ".initdb.log")) File.Delete(DataDirectory + ".initdb.log");
            _gate.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunScriptAsync(string command)
    {
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"set -e; source '{Script}'; {command}");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"'{command}' failed with exit code {process.ExitCode}: {await stderr.ConfigureAwait(false)}{await stdout.ConfigureAwait(false)}");
    }
}
