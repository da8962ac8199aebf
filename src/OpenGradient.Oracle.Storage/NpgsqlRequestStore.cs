using Npgsql;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Storage;

internal sealed class NpgsqlRequestStore : IRequestStore
{
    private const string Columns = """
        chain_id, oracle, request_id, requester, fee, model_id, input_hash, deadline, callback_gas_limit, output_bytes,
        redundancy, input, block_number, block_hash, tx_hash, log_index, status, outcome_output, outcome_failure,
        submission_tx_hash, submission_nonce, detail, version, created_at, updated_at
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;

    public NpgsqlRequestStore(NpgsqlDataSource dataSource, TimeProvider time)
    {
        _dataSource = dataSource;
        _time = time;
    }

    public async Task<bool> AddIfAbsentAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
        (await AddManyIfAbsentAsync([request], cancellationToken).ConfigureAwait(false))[0];

    public async Task<IReadOnlyList<bool>> AddManyIfAbsentAsync(IReadOnlyList<InferenceRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0) return [];
        foreach (var request in requests) ArgumentNullException.ThrowIfNull(request, nameof(requests));
        var now = _time.GetUtcNow();
        // A key listed twice is stored from its first listing; the later ones report false, as a replay would.
        var firsts = requests.DistinctBy(r => r.Key).ToArray();
        // One INSERT per oracle for all of its requests (a block range full of them is one statement, not one per row),
        // all in one round trip and one implicit transaction: either all of the list is stored or none of it.
        await using var batch = _dataSource.CreateBatch();
        var oracles = new List<(ulong ChainId, string Oracle)>(); // one per statement, in order
        foreach (var oracle in firsts.GroupBy(r => (r.Key.ChainId, r.Key.Oracle)))
        {
            oracles.Add(oracle.Key);
            var rows = oracle.ToArray();
            batch.BatchCommands.Add(Db.BatchCommand($"""
                INSERT INTO {Db.Schema}.requests ({Columns})
                SELECT $1, $2, k.request_id::numeric, k.requester, k.fee::numeric, k.model_id, k.input_hash, k.deadline::numeric,
                       k.callback_gas_limit, k.output_bytes, k.redundancy, k.input, k.block_number::numeric, k.block_hash, k.tx_hash,
                       k.log_index, $3, NULL, NULL, NULL, NULL, NULL, 1, $4, $4
                  FROM unnest($5::text[], $6::bytea[], $7::text[], $8::bytea[], $9::bytea[], $10::text[], $11::bigint[],
                              $12::bigint[], $13::smallint[], $14::bytea[], $15::text[], $16::bytea[], $17::bytea[], $18::bigint[])
                       AS k(request_id, requester, fee, model_id, input_hash, deadline, callback_gas_limit, output_bytes,
                            redundancy, input, block_number, block_hash, tx_hash, log_index)
                ON CONFLICT (chain_id, oracle, request_id) DO NOTHING
                RETURNING request_id::text
                """,
                Db.U64(oracle.Key.ChainId), Db.Address(oracle.Key.Oracle), Db.Small((short)RequestStatus.Discovered), Db.Time(now),
                Db.TextArray(rows.Select(r => Db.Decimal(r.Key.RequestId))),
                Db.ByteaArray(rows.Select(r => Db.AddressBytes(r.Request.Requester))),
                Db.TextArray(rows.Select(r => Db.Decimal(r.Request.Fee))),
                Db.ByteaArray(rows.Select(r => r.Request.ModelId)),
                Db.ByteaArray(rows.Select(r => r.Request.InputHash)),
                Db.TextArray(rows.Select(r => Db.Decimal(r.Request.Deadline))),
                Db.BigintArray(rows.Select(r => (long)r.Request.CallbackGasLimit)),
                Db.BigintArray(rows.Select(r => (long)r.Request.OutputBytes)),
                Db.SmallintArray(rows.Select(r => (short)r.Request.Redundancy)),
                Db.ByteaArray(rows.Select(r => r.Input)),
                Db.TextArray(rows.Select(r => Db.Decimal(r.Log.BlockNumber))),
                Db.ByteaArray(rows.Select(r => r.Log.BlockHash)),
                Db.ByteaArray(rows.Select(r => r.Log.TransactionHash)),
                Db.BigintArray(rows.Select(r => (long)r.Log.LogIndex))));
        }
        var added = new HashSet<RequestKey>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var (chainId, oracle) in oracles)
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    added.Add(new RequestKey(chainId, oracle, Db.ParseBig(reader.GetString(0))));
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        // Only a key's first listing can be the one that was stored.
        return requests.Select(r => added.Remove(r.Key)).ToArray();
    }

    public async Task<StoredRequest?> GetAsync(RequestKey key, CancellationToken cancellationToken = default)
    {
        await using var cmd = _dataSource.Command(
            $"SELECT {Columns} FROM {Db.Schema}.requests WHERE chain_id = $1 AND oracle = $2 AND request_id = $3",
            Db.U64(key.ChainId), Db.Address(key.Oracle), Db.Big(key.RequestId));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<StoredRequest?>> GetManyAsync(IReadOnlyList<RequestKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0) return [];
        // One statement per oracle (a job's requests are all one oracle's), each a primary-key index scan over the ids
        // (request_id = ANY): a statement per key costs PostgreSQL its per-statement overhead for every row.
        await using var batch = _dataSource.CreateBatch();
        foreach (var oracle in keys.Distinct().GroupBy(k => (k.ChainId, k.Oracle)))
        {
            batch.BatchCommands.Add(Db.BatchCommand(
                $"SELECT {Columns} FROM {Db.Schema}.requests WHERE chain_id = $1 AND oracle = $2 AND request_id = ANY($3::text[]::numeric[])",
                Db.U64(oracle.Key.ChainId), Db.Address(oracle.Key.Oracle), Db.TextArray(oracle.Select(k => Db.Decimal(k.RequestId)))));
        }
        var stored = new Dictionary<RequestKey, StoredRequest>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        do
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var request = Read(reader);
                stored[request.Key] = request;
            }
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        return keys.Select(k => stored.GetValueOrDefault(k)).ToArray();
    }

    public async Task<StoredRequest> TransitionAsync(StoredRequest current, RequestTransition transition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        return (await TransitionManyAsync([new RequestStep(current, transition)], cancellationToken).ConfigureAwait(false))[0]
            ?? throw new StaleRequestStateException(current.Key, current.Version);
    }

    public async Task<IReadOnlyList<StoredRequest?>> TransitionManyAsync(IReadOnlyList<RequestStep> steps, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0) return [];
        // Every transition is checked before anything is written, so an invalid one leaves the whole list untouched.
        var next = steps.Select(s => s.Next()).ToArray();
        var now = _time.GetUtcNow();
        var applied = steps.Select(s => s.Current.Key).Distinct().Count() == steps.Count
            ? await UpdatePerOracleAsync(steps, next, now, cancellationToken).ConfigureAwait(false)
            : await UpdatePerStepAsync(steps, next, now, cancellationToken).ConfigureAwait(false);
        var stored = new StoredRequest?[steps.Count];
        for (var i = 0; i < steps.Count; i++)
        {
            if (applied[i]) stored[i] = steps[i].Current with { State = next[i], Version = steps[i].Current.Version + 1, UpdatedAt = now };
        }
        return stored;
    }

    /// <summary>
    /// One UPDATE per oracle for all of its steps, each row guarded by its own version; one round trip and one implicit
    /// transaction for all. The rows are found through the primary key (request_id = ANY), so the plan is an index scan
    /// whatever the table's statistics; the new values are joined in from parallel arrays. Sixteen to sixty-four
    /// one-row statements per job cost PostgreSQL more in per-statement overhead than in the updates themselves.
    /// </summary>
    private async Task<bool[]> UpdatePerOracleAsync(IReadOnlyList<RequestStep> steps, RequestState[] next, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var batch = _dataSource.CreateBatch();
        foreach (var oracle in Enumerable.Range(0, steps.Count).GroupBy(i => (steps[i].Current.Key.ChainId, steps[i].Current.Key.Oracle)))
        {
            var at = oracle.ToArray();
            batch.BatchCommands.Add(Db.BatchCommand($"""
                UPDATE {Db.Schema}.requests AS r
                   SET status = v.status, outcome_output = v.outcome_output, outcome_failure = v.outcome_failure,
                       submission_tx_hash = v.submission_tx_hash, submission_nonce = v.submission_nonce::numeric,
                       detail = v.detail, version = r.version + 1, updated_at = $3
                  FROM unnest($4::text[], $5::bigint[], $6::smallint[], $7::bytea[], $8::integer[], $9::bytea[], $10::text[],
                              $11::text[], $12::integer[])
                       AS v(request_id, version, status, outcome_output, outcome_failure, submission_tx_hash, submission_nonce,
                            detail, step)
                 WHERE r.chain_id = $1 AND r.oracle = $2 AND r.request_id = ANY($4::text[]::numeric[])
                   AND r.request_id = v.request_id::numeric AND r.version = v.version
                RETURNING v.step
                """,
                Db.U64(oracle.Key.ChainId), Db.Address(oracle.Key.Oracle), Db.Time(now),
                Db.TextArray(at.Select(i => Db.Decimal(steps[i].Current.Key.RequestId))),
                Db.BigintArray(at.Select(i => steps[i].Current.Version)),
                Db.SmallintArray(at.Select(i => (short)next[i].Status)),
                Db.ByteaArray(at.Select(i => next[i].Outcome?.Output)),
                Db.IntegerArray(at.Select(i => (int?)next[i].Outcome?.Failure)),
                Db.ByteaArray(at.Select(i => next[i].Submission?.TransactionHash)),
                Db.TextArray(at.Select(i => next[i].Submission is { } sub ? Db.Decimal(sub.Nonce) : null)),
                Db.TextArray(at.Select(i => next[i].Detail)),
                Db.IntegerArray(at.Select(i => (int?)i))));
        }
        var applied = new bool[steps.Count];
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        do
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) applied[reader.GetInt32(0)] = true;
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
        return applied;
    }

    /// <summary>One UPDATE per step, in order, in one round trip: for a list naming a request more than once, where a
    /// later step expects the version an earlier one writes.</summary>
    private async Task<bool[]> UpdatePerStepAsync(IReadOnlyList<RequestStep> steps, RequestState[] next, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var batch = _dataSource.CreateBatch();
        for (var i = 0; i < steps.Count; i++)
        {
            var (current, state) = (steps[i].Current, next[i]);
            var key = current.Key;
            batch.BatchCommands.Add(Db.BatchCommand($"""
                UPDATE {Db.Schema}.requests
                   SET status = $4, outcome_output = $5, outcome_failure = $6, submission_tx_hash = $7, submission_nonce = $8,
                       detail = $9, version = version + 1, updated_at = $10
                 WHERE chain_id = $1 AND oracle = $2 AND request_id = $3 AND version = $11
                """,
                Db.U64(key.ChainId), Db.Address(key.Oracle), Db.Big(key.RequestId),
                Db.Small((short)state.Status), Db.Bytes(state.Outcome?.Output), Db.NullableInt((int?)state.Outcome?.Failure),
                Db.Bytes(state.Submission?.TransactionHash), Db.U64(state.Submission?.Nonce), Db.Text(state.Detail),
                Db.Time(now), Db.Int(current.Version)));
        }
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return Enumerable.Range(0, steps.Count).Select(i => batch.BatchCommands[i].RecordsAffected == 1).ToArray();
    }

    public async Task<StoredRequest> ReplaceOrphanedAsync(StoredRequest orphaned, InferenceRequest replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orphaned);
        ArgumentNullException.ThrowIfNull(replacement);
        if (!orphaned.State.IsTerminal)
            throw new ArgumentException($"request {orphaned.Key} is {orphaned.State.Status}; orphan it before replacing it", nameof(orphaned));
        if (replacement.Key != orphaned.Key)
            throw new ArgumentException($"replacement {replacement.Key} does not have the orphaned request's key {orphaned.Key}", nameof(replacement));

        var key = orphaned.Key;
        var now = _time.GetUtcNow();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Archive first, guarded by the version: the row is copied only if it is still exactly what the caller saw.
        await using (var archive = connection.Command($"""
            INSERT INTO {Db.Schema}.superseded_requests ({Columns}, superseded_at, superseded_by_tx_hash)
            SELECT {Columns}, $6, $7 FROM {Db.Schema}.requests
             WHERE chain_id = $1 AND oracle = $2 AND request_id = $3 AND version = $4 AND status = $5
            """,
            Db.U64(key.ChainId), Db.Address(key.Oracle), Db.Big(key.RequestId), Db.Int(orphaned.Version),
            Db.Small((short)orphaned.State.Status), Db.Time(now), Db.Bytes(replacement.Log.TransactionHash)))
        {
            if (await archive.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
                throw new StaleRequestStateException(key, orphaned.Version);
        }

        var r = replacement.Request;
        var detail = $"replaces the request logged in tx 0x{Convert.ToHexStringLower(orphaned.Request.Log.TransactionHash)}, orphaned by a reorg";
        await using (var update = connection.Command($"""
            UPDATE {Db.Schema}.requests
               SET requester = $4, fee = $5, model_id = $6, input_hash = $7, deadline = $8, callback_gas_limit = $9,
                   output_bytes = $10, redundancy = $11, input = $12, block_number = $13, block_hash = $14, tx_hash = $15,
                   log_index = $16, status = $17, outcome_output = NULL, outcome_failure = NULL, submission_tx_hash = NULL,
                   submission_nonce = NULL, detail = $18, version = version + 1, created_at = $19, updated_at = $19
             WHERE chain_id = $1 AND oracle = $2 AND request_id = $3 AND version = $20
            """,
            Db.U64(key.ChainId), Db.Address(key.Oracle), Db.Big(key.RequestId),
            Db.Address(r.Requester), Db.Big(r.Fee), Db.Bytes(r.ModelId), Db.Bytes(r.InputHash), Db.U64(r.Deadline),
            Db.Int(r.CallbackGasLimit), Db.Int(r.OutputBytes), Db.Small(r.Redundancy), Db.Bytes(replacement.Input),
            Db.U64(replacement.Log.BlockNumber), Db.Bytes(replacement.Log.BlockHash), Db.Bytes(replacement.Log.TransactionHash),
            Db.Int(replacement.Log.LogIndex), Db.Small((short)RequestStatus.Discovered), Db.Text(detail), Db.Time(now),
            Db.Int(orphaned.Version)))
        {
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
                throw new StaleRequestStateException(key, orphaned.Version);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new StoredRequest(replacement, RequestState.Restore(RequestStatus.Discovered, null, null, detail), orphaned.Version + 1, now, now);
    }

    public async Task<IReadOnlyList<StoredRequest>> ListSupersededAsync(RequestKey key, CancellationToken cancellationToken = default)
    {
        await using var cmd = _dataSource.Command(
            $"SELECT {Columns} FROM {Db.Schema}.superseded_requests WHERE chain_id = $1 AND oracle = $2 AND request_id = $3 ORDER BY archive_id",
            Db.U64(key.ChainId), Db.Address(key.Oracle), Db.Big(key.RequestId));
        return await ReadAllAsync(cmd, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredRequest>> ListNonTerminalFromBlockAsync(ulong chainId, string oracle, ulong fromBlock, int limit,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var open = Enum.GetValues<RequestStatus>().Where(s => !RequestStateMachine.IsTerminal(s)).Select(s => (short)s).ToArray();
        await using var cmd = _dataSource.Command($"""
            SELECT {Columns} FROM {Db.Schema}.requests
             WHERE chain_id = $1 AND oracle = $2 AND block_number >= $3 AND status = ANY($4)
             ORDER BY block_number, log_index LIMIT $5
            """,
            Db.U64(chainId), Db.Address(AddressText.Normalize(oracle, nameof(oracle))), Db.U64(fromBlock),
            new NpgsqlParameter { Value = open, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Smallint },
            Db.Int((long)limit));
        return await ReadAllAsync(cmd, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<StoredRequest>> ReadAllAsync(NpgsqlCommand cmd, CancellationToken cancellationToken)
    {
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<StoredRequest>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(Read(reader));
        return list;
    }

    public async Task<IReadOnlyList<StoredRequest>> ListByStatusAsync(RequestStatus status, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var cmd = _dataSource.Command(
            $"SELECT {Columns} FROM {Db.Schema}.requests WHERE status = $1 ORDER BY updated_at, chain_id, oracle, request_id LIMIT $2",
            Db.Small((short)status), Db.Int((long)limit));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<StoredRequest>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(Read(reader));
        return list;
    }

    public async Task<IReadOnlyDictionary<RequestStatus, long>> CountByStatusAsync(CancellationToken cancellationToken = default)
    {
        var counts = Enum.GetValues<RequestStatus>().ToDictionary(s => s, _ => 0L);
        await using var cmd = _dataSource.Command($"SELECT status, count(*) FROM {Db.Schema}.requests GROUP BY status");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            counts[(RequestStatus)reader.GetInt16(0)] = reader.GetInt64(1);
        return counts;
    }

    private static StoredRequest Read(NpgsqlDataReader r)
    {
        var key = new RequestKey(r.ReadU64(0), r.ReadAddress(1), r.ReadBig(2));
        var onChain = new OnChainRequest(
            r.ReadAddress(3), r.ReadBig(4), r.ReadBytes(5), r.ReadBytes(6), r.ReadU64(7),
            checked((uint)r.GetInt64(8)), checked((uint)r.GetInt64(9)), checked((byte)r.GetInt16(10)));
        var log = new LogPosition(r.ReadU64(12), r.ReadBytes(13), r.ReadBytes(14), checked((uint)r.GetInt64(15)));
        var request = new InferenceRequest(key, onChain, r.ReadBytes(11), log);

        var output = r.ReadBytesOrNull(17);
        InferenceOutcome? outcome = output is not null ? InferenceOutcome.Success(output)
            : r.IsDBNull(18) ? null : InferenceOutcome.Failed((FailureReason)r.GetInt32(18));
        var txHash = r.ReadBytesOrNull(19);
        var submission = txHash is null ? null : new SubmissionRecord(txHash, r.ReadU64(20));
        var state = RequestState.Restore((RequestStatus)r.GetInt16(16), outcome, submission, r.ReadTextOrNull(21));
        return new StoredRequest(request, state, r.GetInt64(22), r.ReadTime(23), r.ReadTime(24));
    }
}
