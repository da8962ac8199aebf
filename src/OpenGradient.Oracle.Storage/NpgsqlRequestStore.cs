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

    public async Task<bool> AddIfAbsentAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var r = request.Request;
        var now = _time.GetUtcNow();
        await using var cmd = _dataSource.Command($"""
            INSERT INTO {Db.Schema}.requests ({Columns})
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, NULL, NULL, NULL, NULL, NULL, 1, $18, $18)
            ON CONFLICT (chain_id, oracle, request_id) DO NOTHING
            """,
            Db.U64(request.Key.ChainId), Db.Address(request.Key.Oracle), Db.Big(request.Key.RequestId),
            Db.Address(r.Requester), Db.Big(r.Fee), Db.Bytes(r.ModelId), Db.Bytes(r.InputHash), Db.U64(r.Deadline),
            Db.Int(r.CallbackGasLimit), Db.Int(r.OutputBytes), Db.Small(r.Redundancy), Db.Bytes(request.Input),
            Db.U64(request.Log.BlockNumber), Db.Bytes(request.Log.BlockHash), Db.Bytes(request.Log.TransactionHash),
            Db.Int(request.Log.LogIndex), Db.Small((short)RequestStatus.Discovered), Db.Time(now));
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<StoredRequest?> GetAsync(RequestKey key, CancellationToken cancellationToken = default)
    {
        await using var cmd = _dataSource.Command(
            $"SELECT {Columns} FROM {Db.Schema}.requests WHERE chain_id = $1 AND oracle = $2 AND request_id = $3",
            Db.U64(key.ChainId), Db.Address(key.Oracle), Db.Big(key.RequestId));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task<StoredRequest> TransitionAsync(StoredRequest current, RequestTransition transition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        var next = RequestStateMachine.Apply(current.State, transition);
        var now = _time.GetUtcNow();
        var key = current.Key;
        await using var cmd = _dataSource.Command($"""
            UPDATE {Db.Schema}.requests
               SET status = $4, outcome_output = $5, outcome_failure = $6, submission_tx_hash = $7, submission_nonce = $8,
                   detail = $9, version = version + 1, updated_at = $10
             WHERE chain_id = $1 AND oracle = $2 AND request_id = $3 AND version = $11
            """,
            Db.U64(key.ChainId), Db.Address(key.Oracle), Db.Big(key.RequestId),
            Db.Small((short)next.Status), Db.Bytes(next.Outcome?.Output), Db.NullableInt((int?)next.Outcome?.Failure),
            Db.Bytes(next.Submission?.TransactionHash), Db.U64(next.Submission?.Nonce), Db.Text(next.Detail),
            Db.Time(now), Db.Int(current.Version));
        if (await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            throw new StaleRequestStateException(key, current.Version);
        return current with { State = next, Version = current.Version + 1, UpdatedAt = now };
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
