using System.Numerics;
using OpenGradient.Oracle.Chain.Calldata;
using OpenGradient.Oracle.Chain.Generated;

namespace OpenGradient.Oracle.Chain.Submission;

/// <summary>
/// Gas limits for <c>fulfilBatch</c>, <c>fulfilBatchPacked</c>, <c>fulfil</c> and <c>reportFailure</c> computed from
/// the items alone, so the node need not ask the chain (<c>eth_estimateGas</c>) for every batch. <c>fulfilBatch</c>
/// (packed or not) never reverts as a whole (a bad
/// item is skipped with <c>FulfilmentRejected</c>), so a simulation would only have told us the gas; this bound is
/// never below what the transaction uses, whatever the chain state (fresh or known operators, prior votes, which
/// requests opted into finality), and the contract's own gas checks (<c>_checkSettleGas</c>, <c>_callback</c>) pass
/// with it, so no item is rejected for lack of gas and every callback gets its full <c>callbackGasLimit</c>.
/// </summary>
/// <remarks>
/// <para>limit = max(21,000 + calldata + call + Σ item + memory + headroom, EIP-7623 floor), where <b>item</b> is the
/// worst of the request's code paths given what the item carries (redundancy, output length, callback gas limit),
/// <b>memory</b> the exact EVM memory cost of what the whole batch allocates (Solidity never frees memory, so it grows
/// over the loop and its quadratic term is a batch-level quantity), and <b>headroom</b> the largest gas the contract
/// insists on having left before a settlement without consuming it (the 1/64 the 63/64 rule withholds from a callback,
/// and the part of <c>_checkSettleGas</c>'s demand beyond what the settlement really spends).</para>
/// <para>Every storage write is priced as a cold zero→non-zero write (22,100) unless the contract proves otherwise:
/// a request's own slot is read (warm) and non-zero before it is overwritten. Constants were derived from the code and
/// then checked against measurements on Hardhat 3 / EDR (hardfork osaka, solc 0.8.28, optimizer 200 runs, evmVersion
/// cancun) by FulfilmentGasModelTests, whose table is in docs/ARCHITECTURE.md.</para>
/// <para>Limits can exceed the osaka per-transaction cap (EIP-7825, <see cref="TransactionGasCap"/>) for large batches
/// with large callbacks; the caller must then split the batch (clamping would break the guarantee).</para>
/// </remarks>
public static class FulfilmentGasModel
{
    /// <summary>EIP-7825 (osaka): no transaction may carry more gas than this.</summary>
    public const ulong TransactionGasCap = 16_777_216;

    /// <summary>Intrinsic cost of any transaction.</summary>
    public const ulong TransactionBaseGas = 21_000;

    /// <summary>Calldata bytes (EIP-2028).</summary>
    public const ulong ZeroByteGas = 4;

    public const ulong NonZeroByteGas = 16;

    /// <summary>EIP-7623 (prague): a transaction pays at least 21,000 + 10 per calldata token (zero byte 1 token,
    /// other byte 4); its gas limit must cover that floor even when execution is cheap.</summary>
    public const ulong FloorGasPerToken = 10;

    // ----------------------------------------------------------------- contract constants the model must satisfy

    /// <summary><c>MAX_COMMITMENTS</c>: a request with redundancy k can hold 15 commitments, so its settling vote may
    /// find up to 15 − k dissenters to slash.</summary>
    public const int MaxCommitments = 15;

    /// <summary><c>MAX_REDUNDANCY</c>.</summary>
    public const int MaxRedundancy = 7;

    private const ulong SettleGasBase = 40_000;         // _SETTLE_GAS_BASE
    private const ulong SettleGasPerOperator = 30_000;  // _SETTLE_GAS_PER_OPERATOR
    private const ulong SettleGasPerDissenter = 60_000; // _SETTLE_GAS_PER_DISSENTER
    private const ulong SettleGasPerByte = 16;          // _SETTLE_GAS_PER_BYTE
    private const ulong GasForCallExactCheck = 5_000;   // _GAS_FOR_CALL_EXACT_CHECK

    // ----------------------------------------------------------------- execution constants
    // Each constant is an analytic count of the opcodes on its path (EIP-2929 cold/warm access, EIP-2200/3529 SSTORE,
    // LOG 375 + 375 a topic + 8 a byte, ecrecover 3,000, value transfer 9,000) rounded up. The test then measures
    // whole paths on Hardhat 3 / EDR (hardfork osaka, solc 0.8.28 optimizer 200 runs, evmVersion cancun) and the
    // execution gas of each (gasUsed − 21,000 − calldata) came out at 79-91 % of the model's (call + items + memory,
    // headroom not included) for one-item calls: plain result 50,302 vs 58,409; opt-in result 93,364 vs 105,409;
    // failure report 48,187 vs 61,123; k = 7 with 8 dissenters and a 1,024-byte output 519,308 vs 585,932; k = 2 with
    // 13 dissenters and a 300,000 callback burnt in full 772,571 vs ≈ 852,000 (docs/ARCHITECTURE.md has the table).
    // Later items of a batch cost less (warm registry, the operator's balance already written), which the model does
    // not assume.

    /// <summary>Dispatch, the transient reentrancy guard (TLOAD/TSTORE ×2), decoding the array head, the loop:
    /// ≈ 1,500 analytic; 5,000.</summary>
    public const ulong CallGas = 5_000;

    /// <summary>
    /// One item up to its gas check, redundancy 1: calldata decoding and the output-length check, the EIP-712 digest
    /// (two keccaks; the domain separator is cached), ecrecover (3,000), <c>isActive</c> on the operator registry (cold
    /// account 2,600 + cold slot 2,100 + call), <c>_checkPending</c> (cold request slot 2,100 + the request hash), the
    /// <c>CommitmentRecorded</c> log (LOG4 + 32 bytes: 2,131). ≈ 18,500 analytic (≈ 19,300 measured, by difference,
    /// for a first item); 22,000.
    /// </summary>
    public const ulong ItemCheckGas = 22_000;

    /// <summary>
    /// Settling with redundancy 1 (<c>_settleFulfilment</c>): the request slot rewritten (warm, non-zero → non-zero:
    /// 2,900), the <c>InferenceFulfilled</c> log's fixed part (LOG3 + 64 bytes: 2,012), the operator credited (cold
    /// slot 2,100 + zero → non-zero 20,000, a fresh operator) and <c>PaymentCredited</c> (LOG3 + 32 bytes: 1,756).
    /// ≈ 29,000 analytic; 31,000. A failure's refund to the requester (<c>_settleFailure</c>) is the same shape.
    /// </summary>
    public const ulong SingleSettleGas = 31_000;

    /// <summary>
    /// The opt-in path (<c>_settleProvisional</c>) instead of <see cref="SingleSettleGas"/>: the request slot
    /// rewritten (2,900), three new slots of the finality record (request hash, output hash, operator | deadline |
    /// stage: 3 × 22,100), <c>InferenceFulfilled</c> and <c>ResultProvisional</c> (LOG4 + 32 bytes). No credit and no
    /// callback yet. ≈ 73,500 analytic; 78,000.
    /// </summary>
    public const ulong ProvisionalSettleGas = 78_000;

    /// <summary>
    /// A vote with redundancy &gt; 1 (<c>_checkVote</c> + <c>_record</c>): three cold reads (the operator's vote, the
    /// voter count, the tally: 6,300), then four new slots (voters length and voters[i], votes[op], tally[vote]: the
    /// three warm ones 20,000 each, the new array element 22,100) and possibly <c>CommitmentConflicted</c> (1,756).
    /// ≈ 90,000 analytic; 98,000.
    /// </summary>
    public const ulong VoteRecordGas = 98_000;

    /// <summary>Settling a quorum, fixed part: the request slot, the <c>InferenceFulfilled</c> log, the partition's two
    /// arrays, the penalty set-up (<c>minStake()</c> on the warm registry) and the requester's half of the penalty
    /// credited to a cold, possibly empty slot (22,100 + log). ≈ 31,000 analytic; 35,000.</summary>
    public const ulong QuorumSettleGas = 35_000;

    /// <summary>Per commitment the partition reads two cold slots (the voter, its vote: 4,200).</summary>
    public const ulong PerVoterReadGas = 4_500;

    /// <summary>Per agreeing operator: its share of the fee credited to a cold, possibly empty balance (22,100 +
    /// <c>PaymentCredited</c> 1,756), and its share of the penalty split (warm, written: 100 + log). ≈ 25,700; 27,000.</summary>
    public const ulong PerAgreeingCreditGas = 27_000;

    /// <summary>Slashing one dissenter: CALL to the warm registry (its transient guard, a cold operator slot read and
    /// rewritten: 2,100 + 2,900, <c>OperatorSlashed</c>), the slashed wei sent back to the oracle (9,000, of which the
    /// unused part of the 2,300 stipend returns; the oracle's <c>receive</c> runs) and <c>OperatorPenalized</c>.
    /// ≈ 18,000 analytic; ≈ 16,000 measured (by difference, 13 dissenters); 20,000.</summary>
    public const ulong PerDissenterGas = 20_000;

    /// <summary>
    /// Calling a consumer back, besides what the consumer burns (at most its <c>callbackGasLimit</c>, added in full):
    /// <c>EXTCODESIZE</c> of the requester (cold account, 2,600) in <c>_verify</c> and again in <c>_callback</c> (warm),
    /// the calldata <c>abi.encodeCall</c> builds, the CALL (warm target, no value; an EIP-7702 delegated requester adds
    /// a cold access to its delegate, 2,600) and <c>CallbackFailed</c> if the consumer fails (LOG2: 1,125).
    /// ≈ 7,000 analytic with a delegated requester; 10,000.
    /// </summary>
    public const ulong CallbackOverheadGas = 10_000;

    /// <summary>Per 32-byte word of output: LOG data at 8 gas a byte (256), keccak (6) and three copies (3 each: for the
    /// hash, the log and the callback's calldata). 271 analytic; 280. (Calldata is counted exactly, apart.)</summary>
    public const ulong PerOutputWordGas = 280;

    /// <summary>reportFailure's extra work over a fulfilment with no output: the reason check and the vote
    /// <c>keccak256(abi.encode("failure", reason))</c>; <c>InferenceFailed</c> replaces <c>InferenceFulfilled</c>.
    /// ≈ 1,000 analytic; 3,000.</summary>
    public const ulong FailureVoteGas = 3_000;

    /// <summary>Memory words one item leaves allocated (the digest's <c>abi.encode</c>, the return data of
    /// <c>isActive</c>, <c>agreeing</c>, the callback's <c>abi.encodeCall</c> with the output) plus what it uses above
    /// the free pointer while it runs (the log's and the hash's copies of the output): 24 words + 2 per output word.
    /// Quorum settlement adds the partition arrays and one return word per slash: at most 2 × 15 + 10.</summary>
    private const ulong ItemMemoryWords = 24;

    private const ulong QuorumMemoryWords = 40;

    /// <summary>Memory the call starts with: Solidity's scratch space, the free pointer, the zero slot (4 words), the
    /// decoded array and what the first external call encodes.</summary>
    private const ulong CallMemoryWords = 16;

    // ----------------------------------------------------------------- limits

    /// <summary>The gas limit for <c>fulfilBatch(items)</c>.</summary>
    /// <param name="items">The batch.</param>
    /// <param name="mayHaveOptedIn">False only if the caller knows that no redundancy-1 request among the items was made
    /// with <c>requestInferenceWithFinality</c> (no <c>FinalityRequested</c> event): then the provisional path, whose
    /// finality record costs ≈ 45,000 more than a plain settlement without callback, is left out.</param>
    public static ulong FulfilBatch(IReadOnlyList<InferenceOracleContract.Fulfilment> items, bool mayHaveOptedIn = true) =>
        Batch(items, InferenceOracleContract.EncodeFulfilBatch(items ?? throw new ArgumentNullException(nameof(items))), mayHaveOptedIn);

    /// <summary>The gas limit for <c>fulfilBatchPacked(PackedFulfilmentBatch.Encode(items))</c>: the same items, the
    /// same per-item path, less calldata.</summary>
    /// <param name="items">The batch (packable: <see cref="PackedFulfilmentBatch.WhyNotPackable"/>).</param>
    /// <param name="mayHaveOptedIn">As for <see cref="FulfilBatch"/>.</param>
    public static ulong FulfilBatchPacked(IReadOnlyList<InferenceOracleContract.Fulfilment> items, bool mayHaveOptedIn = true) =>
        Batch(items, InferenceOracleContract.EncodeFulfilBatchPacked(PackedFulfilmentBatch.Encode(items)), mayHaveOptedIn);

    /// <summary>The gas limit for a batch call of <paramref name="items"/> already encoded as <paramref name="calldata"/>
    /// (<c>fulfilBatch</c> or <c>fulfilBatchPacked</c>: the same per-item path, only the calldata differs).</summary>
    /// <param name="items">The batch.</param>
    /// <param name="calldata">The call's calldata, selector included.</param>
    /// <param name="mayHaveOptedIn">As for <see cref="FulfilBatch"/>.</param>
    public static ulong Batch(IReadOnlyList<InferenceOracleContract.Fulfilment> items, byte[] calldata, bool mayHaveOptedIn = true)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(calldata);
        var cost = new Accumulator(mayHaveOptedIn);
        foreach (var item in items) cost.AddFulfilment(item);
        return cost.Total(calldata);
    }

    /// <summary>The gas limit for <c>fulfil(item)</c> (strict: a bad item reverts the call, which then costs less).</summary>
    /// <param name="item">The result.</param>
    /// <param name="mayHaveOptedIn">As for <see cref="FulfilBatch"/>.</param>
    public static ulong Fulfil(InferenceOracleContract.Fulfilment item, bool mayHaveOptedIn = true)
    {
        ArgumentNullException.ThrowIfNull(item);
        var cost = new Accumulator(mayHaveOptedIn);
        cost.AddFulfilment(item);
        return cost.Total(InferenceOracleContract.EncodeFulfil(item));
    }

    /// <summary>The gas limit for <c>reportFailure(report)</c>. A failure settles at once even for a request that opted
    /// into finality (refund and callback), so there is no provisional path here.</summary>
    public static ulong ReportFailure(InferenceOracleContract.FailureReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var cost = new Accumulator(false);
        cost.AddFailure(report);
        return cost.Total(InferenceOracleContract.EncodeReportFailure(report));
    }

    /// <summary>Calldata gas of <paramref name="data"/> (EIP-2028: 4 a zero byte, 16 any other).</summary>
    public static ulong CalldataGas(ReadOnlySpan<byte> data)
    {
        var zeros = (ulong)Zeros(data);
        return zeros * ZeroByteGas + ((ulong)data.Length - zeros) * NonZeroByteGas;
    }

    /// <summary>The EIP-7623 floor: the least a transaction with <paramref name="data"/> can be charged.</summary>
    public static ulong FloorGas(ReadOnlySpan<byte> data)
    {
        var zeros = (ulong)Zeros(data);
        return TransactionBaseGas + FloorGasPerToken * (zeros + 4 * ((ulong)data.Length - zeros));
    }

    /// <summary>EVM memory cost of <paramref name="words"/> words: 3 a word plus words² / 512 (yellow paper C_mem).</summary>
    public static ulong MemoryGas(ulong words) => 3 * words + words * words / 512;

    private static int Zeros(ReadOnlySpan<byte> data) => data.Length - CountNonZero(data);

    private static int CountNonZero(ReadOnlySpan<byte> data)
    {
        var nonZero = 0;
        foreach (var b in data)
            if (b != 0) nonZero++;
        return nonZero;
    }

    private static ulong Words(ulong bytes) => (bytes + 31) / 32;

    /// <summary>Reads a uint field of the request as the contract would use it; absurd values (the contract rejects the
    /// item as a mismatch) are clamped high, which only makes the limit larger.</summary>
    private static ulong Field(BigInteger value, ulong max) => value.Sign < 0 ? 0 : value > max ? max : (ulong)value;

    /// <summary>Sums the per-item terms of one call.</summary>
    private sealed class Accumulator(bool mayHaveOptedIn)
    {
        private ulong _execution = CallGas;
        private ulong _memoryWords = CallMemoryWords;
        private ulong _headroom;

        public void AddFulfilment(InferenceOracleContract.Fulfilment item)
        {
            var outputBytes = (ulong)item.Output.Length;
            Add(item.Request, outputBytes, PerOutputWordGas * Words(outputBytes), provisionalPossible: mayHaveOptedIn);
        }

        public void AddFailure(InferenceOracleContract.FailureReport report) =>
            Add(report.Request, 0, FailureVoteGas, provisionalPossible: false);

        /// <param name="request">The request the item carries.</param>
        /// <param name="outputBytes">Bytes of output delivered (0 for a failure): the contract's per-byte demand.</param>
        /// <param name="payloadGas">Gas for the item's payload (output words, or the failure vote).</param>
        /// <param name="provisionalPossible">Whether the item may take the opt-in path (<c>_settleProvisional</c>).</param>
        private void Add(InferenceOracleContract.Request request, ulong outputBytes, ulong payloadGas, bool provisionalPossible)
        {
            // Redundancy beyond MAX_REDUNDANCY cannot match a stored request (rejected cheaply); 0 likewise.
            var k = Math.Max(1UL, Field(request.Redundancy, MaxRedundancy));
            var callbackGasLimit = Field(request.CallbackGasLimit, uint.MaxValue);
            // Prior commitments are unknown to the node: the settling vote may find the most dissenters allowed.
            var dissenters = k == 1 ? 0 : (ulong)MaxCommitments - k;
            // Split at the contract's gas check (_checkSettleGas in _verify): what comes before it (decoding, hashing,
            // signature, pending and vote checks, the requester's EXTCODESIZE; the vote record and the rest of the
            // callback overhead are counted here in full although they come after, which only overstates this part)
            // and what comes after it (the settlement and what the consumer burns).
            var beforeCheck = ItemCheckGas + payloadGas + (k == 1 ? 0 : VoteRecordGas) + (callbackGasLimit == 0 ? 0 : CallbackOverheadGas);
            ulong afterCheck;
            if (k == 1)
            {
                afterCheck = SingleSettleGas + callbackGasLimit;
                // The node may not know whether the request opted in; take the dearer path. The opt-in path has no
                // gas check and no callback.
                if (provisionalPossible) afterCheck = Math.Max(afterCheck, ProvisionalSettleGas);
            }
            else
            {
                afterCheck = QuorumSettleGas + (k + dissenters) * PerVoterReadGas + k * PerAgreeingCreditGas
                    + dissenters * PerDissenterGas + callbackGasLimit;
            }
            _execution += beforeCheck + afterCheck;
            _memoryWords += ItemMemoryWords + 2 * Words(outputBytes) + (k == 1 ? 0 : QuorumMemoryWords);

            if (callbackGasLimit != 0)
            {
                // When the item is checked, every later item's share and this item's after-check share of the limit
                // are still unspent (each item spends at most its share, and this one at most its before-check share
                // so far). _checkSettleGas demands `demanded`; whatever of it exceeds this item's modelled
                // after-check share must be spare: that is the headroom. (With fewer dissenters than the most, the
                // contract demands less and the share stays the same, so the worst case is the one computed.)
                var demanded = callbackGasLimit + callbackGasLimit / 63 + SettleGasBase + k * SettleGasPerOperator
                    + outputBytes * SettleGasPerByte + (k == 1 ? 0 : dissenters * SettleGasPerDissenter);
                var settleShare = k == 1 ? SingleSettleGas + callbackGasLimit : afterCheck;
                var checkHeadroom = demanded > settleShare ? demanded - settleShare : 0;
                // _callback: 5,000 kept back, and 1/64 of the rest withheld by the CALL (EIP-150), must still leave
                // callbackGasLimit for the consumer; 1,000 for the opcodes between gasleft() and the CALL.
                var callHeadroom = callbackGasLimit / 63 + 1 + GasForCallExactCheck + 1_000;
                _headroom = Math.Max(_headroom, Math.Max(checkHeadroom, callHeadroom));
            }
        }

        public ulong Total(byte[] data)
        {
            var total = TransactionBaseGas + CalldataGas(data) + _execution + MemoryGas(_memoryWords) + _headroom;
            return Math.Max(total, FloorGas(data));
        }
    }
}
