using Npgsql;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Storage;

internal sealed class NpgsqlChainCursorStore : IChainCursorStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;

    public NpgsqlChainCursorStore(NpgsqlDataSource dataSource, TimeProvider time)
    {
        _dataSource = dataSource;
        _time = time;
    }

    public Task<ChainCursor?> GetAsync(ulong chainId, string oracle, CancellationToken cancellationToken = default) =>
        GetAsync(chainId, oracle, ChainCursor.RequestsStream, cancellationToken);

    public async Task<ChainCursor?> GetAsync(ulong chainId, string oracle, string stream, CancellationToken cancellationToken = default)
    {
        oracle = AddressText.Normalize(oracle, nameof(oracle));
        ArgumentException.ThrowIfNullOrWhiteSpace(stream);
        await using var cmd = _dataSource.Command(
            $"SELECT block_number, block_hash FROM {Db.Schema}.chain_cursors WHERE chain_id = $1 AND oracle = $2 AND stream = $3",
            Db.U64(chainId), Db.Address(oracle), Db.Text(stream));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new ChainCursor(chainId, oracle, reader.ReadU64(0), reader.ReadBytes(1), stream)
            : null;
    }

    public async Task SetAsync(ChainCursor cursor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        await using var cmd = _dataSource.Command($"""
            INSERT INTO {Db.Schema}.chain_cursors (chain_id, oracle, stream, block_number, block_hash, updated_at)
            VALUES ($1, $2, $6, $3, $4, $5)
            ON CONFLICT (chain_id, oracle, stream) DO UPDATE
               SET block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash, updated_at = EXCLUDED.updated_at
            """,
            Db.U64(cursor.ChainId), Db.Address(cursor.Oracle), Db.U64(cursor.BlockNumber), Db.Bytes(cursor.BlockHash),
            Db.Time(_time.GetUtcNow()), Db.Text(cursor.Stream));
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
