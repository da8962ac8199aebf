using Npgsql;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Storage;

internal sealed class NpgsqlOutboundTransactionStore : IOutboundTransactionStore
{
    private const string Select = $"""
        SELECT t.chain_id, t.hash, t.from_address, t.to_address, t.nonce, t.raw, t.max_fee_per_gas,
               t.max_priority_fee_per_gas, t.gas_limit, t.status, t.mined_block_number, t.created_at,
               ARRAY(SELECT r.oracle FROM {Db.Schema}.outbound_transaction_requests r
                      WHERE r.chain_id = t.chain_id AND r.tx_hash = t.hash ORDER BY r.oracle, r.request_id),
               ARRAY(SELECT r.request_id::text FROM {Db.Schema}.outbound_transaction_requests r
                      WHERE r.chain_id = t.chain_id AND r.tx_hash = t.hash ORDER BY r.oracle, r.request_id),
               t.gas_used, t.effective_gas_price
          FROM {Db.Schema}.outbound_transactions t
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;

    public NpgsqlOutboundTransactionStore(NpgsqlDataSource dataSource, TimeProvider time)
    {
        _dataSource = dataSource;
        _time = time;
    }

    public async Task<bool> AddAsync(OutboundTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var t = transaction;
        foreach (var key in t.Requests)
            if (key.ChainId != t.ChainId)
                throw new ArgumentException($"request {key} is not on chain {t.ChainId}", nameof(transaction));

        // One round trip: a batch without an explicit transaction runs as one implicit transaction (an error in any
        // statement rolls back all of them). This write sits on the submitter's send path, once per transaction.
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(Db.BatchCommand($"""
            INSERT INTO {Db.Schema}.outbound_transactions
                (chain_id, hash, from_address, to_address, nonce, raw, max_fee_per_gas, max_priority_fee_per_gas, gas_limit,
                 status, mined_block_number, created_at, updated_at, gas_used, effective_gas_price)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14)
            ON CONFLICT (chain_id, hash) DO NOTHING
            """,
            Db.U64(t.ChainId), Db.Bytes(t.Hash), Db.Address(t.From), Db.Address(t.To), Db.U64(t.Nonce), Db.Bytes(t.RawTransaction),
            Db.Big(t.MaxFeePerGas), Db.Big(t.MaxPriorityFeePerGas), Db.U64(t.GasLimit), Db.Small((short)t.Status),
            Db.U64(t.MinedBlockNumber), Db.Time(t.CreatedAt), Db.NullableLong(GasColumn(t.GasUsed)), Db.Big(t.EffectiveGasPrice)));
        // A hash already stored names the same signed bytes, hence the same call and the same requests: their rows are
        // there already and DO NOTHING keeps them as they were. All the carried requests go in one statement (a batch
        // carries up to Chain:MaxBatchSize of them); each one's log transaction is looked up by primary key.
        var carried = t.Requests.Distinct().ToArray();
        if (carried.Length > 0)
        {
            batch.BatchCommands.Add(Db.BatchCommand($"""
                INSERT INTO {Db.Schema}.outbound_transaction_requests (chain_id, tx_hash, oracle, request_id, request_tx_hash)
                SELECT $1, $2, k.oracle, k.request_id::numeric,
                       (SELECT r.tx_hash FROM {Db.Schema}.requests r
                         WHERE r.chain_id = $1 AND r.oracle = k.oracle AND r.request_id = k.request_id::numeric)
                  FROM unnest($3::bytea[], $4::text[]) AS k(oracle, request_id)
                ON CONFLICT DO NOTHING
                """,
                Db.U64(t.ChainId), Db.Bytes(t.Hash),
                Db.ByteaArray(carried.Select(k => Db.AddressBytes(k.Oracle))),
                Db.TextArray(carried.Select(k => Db.Decimal(k.RequestId)))));
        }
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return batch.BatchCommands[0].RecordsAffected == 1;
    }

    public async Task<IReadOnlyList<OutboundTransaction>> GetManyAsync(ulong chainId, IReadOnlyCollection<byte[]> hashes,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        if (hashes.Count == 0) return [];
        return await QueryAsync($"{Select} WHERE t.chain_id = $1 AND t.hash = ANY($2::bytea[])", cancellationToken,
            Db.U64(chainId), Db.ByteaArray(hashes)).ConfigureAwait(false);
    }

    public async Task<OutboundTransaction?> GetAsync(ulong chainId, byte[] hash, CancellationToken cancellationToken = default)
    {
        var list = await QueryAsync($"{Select} WHERE t.chain_id = $1 AND t.hash = $2", cancellationToken,
            Db.U64(chainId), Db.Bytes(hash)).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    public Task<IReadOnlyList<OutboundTransaction>> ListByStatusAsync(ulong chainId, string from, OutboundTransactionStatus status, CancellationToken cancellationToken = default) =>
        QueryAsync($"{Select} WHERE t.chain_id = $1 AND t.from_address = $2 AND t.status = $3 ORDER BY t.nonce, t.created_at",
            cancellationToken, Db.U64(chainId), Db.Address(AddressText.Normalize(from, nameof(from))), Db.Small((short)status));

    public async Task<IReadOnlyList<OutboundTransaction>> ListForRequestAsync(RequestKey key, CancellationToken cancellationToken = default) =>
        (await ListForRequestsAsync([key], cancellationToken).ConfigureAwait(false))[key];

    // Only the transactions that carried the request now stored under the key: after a deep reorg gave the id to a
    // different request (IRequestStore.ReplaceOrphanedAsync), a transaction carrying the orphaned one must not make the
    // replacement look already submitted. Each carried request is recorded with the transaction hash of its log (which
    // names one request: the same id with another input is another transaction); we match on that rather than on
    // timestamps, which would tie correctness to clocks. Rows without it carried a request that was never stored.
    // One statement per key, all in one round trip: each is a plain index lookup whatever the tables' statistics say
    // (a single join over all the keys got plans that scanned the link table per batch).
    public async Task<IReadOnlyDictionary<RequestKey, IReadOnlyList<OutboundTransaction>>> ListForRequestsAsync(
        IReadOnlyCollection<RequestKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var distinct = keys.Distinct().ToArray();
        var found = new Dictionary<RequestKey, IReadOnlyList<OutboundTransaction>>();
        if (distinct.Length == 0) return found;
        await using var batch = _dataSource.CreateBatch();
        foreach (var key in distinct)
        {
            batch.BatchCommands.Add(Db.BatchCommand($"""
                {Select}
                 WHERE EXISTS (SELECT 1 FROM {Db.Schema}.outbound_transaction_requests q
                                WHERE q.chain_id = t.chain_id AND q.tx_hash = t.hash
                                  AND q.chain_id = $1 AND q.oracle = $2 AND q.request_id = $3
                                  AND (q.request_tx_hash IS NULL
                                       OR q.request_tx_hash = (SELECT r.tx_hash FROM {Db.Schema}.requests r
                                                                WHERE r.chain_id = $1 AND r.oracle = $2 AND r.request_id = $3)))
                 ORDER BY t.created_at, t.nonce
                """, Db.U64(key.ChainId), Db.Address(key.Oracle), Db.Big(key.RequestId)));
        }
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        foreach (var key in distinct)
        {
            var list = new List<OutboundTransaction>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(Read(reader));
            found[key] = list;
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }
        return found;
    }

    public Task<IReadOnlyList<OutboundTransaction>> ListMinedForRequestsAsync(IReadOnlyCollection<RequestKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0) return Task.FromResult<IReadOnlyList<OutboundTransaction>>([]);
        // The keys travel as three parallel arrays (text for the numerics: 256-bit request ids) and are unnested into rows.
        return QueryAsync($"""
            {Select}
             WHERE t.status IN ({(short)OutboundTransactionStatus.Mined}, {(short)OutboundTransactionStatus.Reverted})
               AND EXISTS (SELECT 1 FROM {Db.Schema}.outbound_transaction_requests q
                             JOIN unnest($1::text[], $2::bytea[], $3::text[]) AS k(chain_id, oracle, request_id)
                               ON q.chain_id = k.chain_id::numeric AND q.oracle = k.oracle AND q.request_id = k.request_id::numeric
                            WHERE q.chain_id = t.chain_id AND q.tx_hash = t.hash)
             ORDER BY t.created_at, t.nonce
            """,
            cancellationToken,
            Db.TextArray(keys.Select(k => Db.Decimal(k.ChainId))),
            Db.ByteaArray(keys.Select(k => Db.AddressBytes(k.Oracle))),
            Db.TextArray(keys.Select(k => Db.Decimal(k.RequestId))));
    }

    public async Task<bool> SetStatusAsync(ulong chainId, byte[] hash, OutboundTransactionStatus status, ulong? minedBlockNumber, CancellationToken cancellationToken = default)
    {
        // Gas belongs to a receipt: kept when the status still says mined, cleared when it no longer does.
        await using var cmd = _dataSource.Command($"""
            UPDATE {Db.Schema}.outbound_transactions
               SET status = $3, mined_block_number = $4, updated_at = $5,
                   gas_used = CASE WHEN $6 THEN gas_used END,
                   effective_gas_price = CASE WHEN $6 THEN effective_gas_price END
             WHERE chain_id = $1 AND hash = $2
            """,
            Db.U64(chainId), Db.Bytes(hash), Db.Small((short)status), Db.U64(minedBlockNumber), Db.Time(_time.GetUtcNow()),
            Db.Bool(status is OutboundTransactionStatus.Mined or OutboundTransactionStatus.Reverted));
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<int> RecordReceiptsAsync(ulong chainId, IReadOnlyList<(byte[] Hash, OutboundReceipt Receipt)> receipts,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        if (receipts.Count == 0) return 0;
        // One statement for all: under load a poll finds dozens mined, and one UPDATE each cost PostgreSQL more in
        // per-statement overhead than in the updates.
        await using var cmd = _dataSource.Command($"""
            UPDATE {Db.Schema}.outbound_transactions AS t
               SET status = v.status, mined_block_number = v.block::numeric, gas_used = v.gas_used,
                   effective_gas_price = v.price::numeric, updated_at = $2
              FROM unnest($3::bytea[], $4::smallint[], $5::text[], $6::bigint[], $7::text[]) AS v(hash, status, block, gas_used, price)
             WHERE t.chain_id = $1 AND t.hash = ANY($3::bytea[]) AND t.hash = v.hash
            """,
            Db.U64(chainId), Db.Time(_time.GetUtcNow()),
            Db.ByteaArray(receipts.Select(r => r.Hash)),
            Db.SmallintArray(receipts.Select(r => (short)r.Receipt.Status)),
            Db.TextArray(receipts.Select(r => Db.Decimal(r.Receipt.BlockNumber))),
            Db.BigintArray(receipts.Select(r => checked((long)r.Receipt.GasUsed))),
            Db.TextArray(receipts.Select(r => Db.Decimal(r.Receipt.EffectiveGasPrice))));
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RecordReceiptAsync(ulong chainId, byte[] hash, OutboundReceipt receipt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return await RecordReceiptsAsync(chainId, [(hash, receipt)], cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Gas in a bigint column: no block comes near 2^63 gas, so a larger value is a bug, not data.</summary>
    private static long? GasColumn(ulong? gas) => gas is { } g ? checked((long)g) : null;

    private async Task<IReadOnlyList<OutboundTransaction>> QueryAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var cmd = _dataSource.Command(sql, parameters);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<OutboundTransaction>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(Read(r));
        return list;
    }

    private static OutboundTransaction Read(NpgsqlDataReader r)
    {
        var chainId = r.ReadU64(0);
        var oracles = r.GetFieldValue<byte[][]>(12);
        var ids = r.GetFieldValue<string[]>(13);
        var keys = new RequestKey[oracles.Length];
        for (var i = 0; i < keys.Length; i++)
            keys[i] = new RequestKey(chainId, "0x" + Convert.ToHexStringLower(oracles[i]), Db.ParseBig(ids[i]));
        return new OutboundTransaction(
            chainId, r.ReadAddress(2), r.ReadAddress(3), r.ReadU64(4), r.ReadBytes(1), r.ReadBytes(5), r.ReadBig(6), r.ReadBig(7),
            r.ReadU64(8), (OutboundTransactionStatus)r.GetInt16(9), keys, r.ReadTime(11), r.ReadU64OrNull(10),
            r.IsDBNull(14) ? null : (ulong)r.GetInt64(14), r.ReadBigOrNull(15));
    }
}
