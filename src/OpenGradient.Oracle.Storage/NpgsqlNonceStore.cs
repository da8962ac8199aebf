using Npgsql;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Storage;

/// <summary>Nonce counters; each reservation is one upsert, so the row lock serialises concurrent reservers.</summary>
internal sealed class NpgsqlNonceStore : INonceStore
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;

    public NpgsqlNonceStore(NpgsqlDataSource dataSource, TimeProvider time)
    {
        _dataSource = dataSource;
        _time = time;
    }

    public async Task<ulong> ReserveNextAsync(ulong chainId, string address, CancellationToken cancellationToken = default)
    {
        address = AddressText.Normalize(address, nameof(address));
        await using var cmd = _dataSource.Command($"""
            INSERT INTO {Db.Schema}.nonces AS n (chain_id, address, next_nonce, updated_at)
            VALUES ($1, $2, 1, $3)
            ON CONFLICT (chain_id, address) DO UPDATE SET next_nonce = n.next_nonce + 1, updated_at = EXCLUDED.updated_at
            RETURNING next_nonce - 1
            """,
            Db.U64(chainId), Db.Address(address), Db.Time(_time.GetUtcNow()));
        return (ulong)(decimal)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<ulong?> PeekAsync(ulong chainId, string address, CancellationToken cancellationToken = default)
    {
        address = AddressText.Normalize(address, nameof(address));
        await using var cmd = _dataSource.Command(
            $"SELECT next_nonce FROM {Db.Schema}.nonces WHERE chain_id = $1 AND address = $2",
            Db.U64(chainId), Db.Address(address));
        return await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is decimal d ? (ulong)d : null;
    }

    public async Task<ulong> ReconcileAsync(ulong chainId, string address, ulong chainNonce, bool allowLower = false, CancellationToken cancellationToken = default)
    {
        address = AddressText.Normalize(address, nameof(address));
        await using var cmd = _dataSource.Command($"""
            INSERT INTO {Db.Schema}.nonces AS n (chain_id, address, next_nonce, updated_at)
            VALUES ($1, $2, $3, $4)
            ON CONFLICT (chain_id, address) DO UPDATE
               SET next_nonce = CASE WHEN $5 THEN EXCLUDED.next_nonce ELSE GREATEST(n.next_nonce, EXCLUDED.next_nonce) END,
                   updated_at = EXCLUDED.updated_at
            RETURNING next_nonce
            """,
            Db.U64(chainId), Db.Address(address), Db.U64(chainNonce), Db.Time(_time.GetUtcNow()), Db.Bool(allowLower));
        return (ulong)(decimal)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
