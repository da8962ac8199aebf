using System.Globalization;
using System.Numerics;
using System.Text;
using OpenGradient.Oracle.Chain.Calldata;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Submission;
using OpenGradient.Oracle.Chain.Tests.Support;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;
using Xunit.Abstractions;

namespace OpenGradient.Oracle.Chain.Tests.Submission;

/// <summary>
/// Differential test of <see cref="FulfilmentGasModel"/> on a real Hardhat node: every case is sent twice from the same
/// snapshot, once with the osaka transaction cap (16,777,216 gas, far more than any case needs) and once with the
/// model's limit, and must succeed both times with the same gas used and the same oracle logs (so no item was
/// rejected or had its callback starved for lack of gas), with gasUsed ≤ limit. Cases that are the worst real use of
/// their shape (fresh operators, consumers that burn their whole callback limit, the most dissenters a quorum allows)
/// must also have limit ≤ 2 × gasUsed + <see cref="Slack"/> and keep <see cref="MinimumMargin"/> above the least limit
/// that still gives the same outcome (found by binary search from the snapshot); the others print their ratio. The
/// printed rows are the table in docs/ARCHITECTURE.md.
/// </summary>
public sealed class FulfilmentGasModelTests(HardhatNode node, ITestOutputHelper output) : IClassFixture<HardhatNode>
{
    /// <summary>
    /// Fixed allowance on top of 2 × gasUsed, for what a call reserves once rather than per item: the headroom the
    /// contract's gas check demands but a settlement leaves unspent (for k = 1: 32,000 + callbackGasLimit / 63 + 16 an
    /// output byte) and the fixed call part. With one small item these weigh as much as the item itself; for batches the
    /// factor 2 dominates.
    /// </summary>
    private const ulong Slack = 60_000;

    /// <summary>The least margin a worst case must keep above the least limit that works (measured: 11,000 and up): a
    /// contract change that eats most of it fails here before a node meets it on chain.</summary>
    private const ulong MinimumMargin = 5_000;

    private const int Requester = 2;
    private const int CallbackRequester = 3;
    private const int FirstOperator = 4;
    private const int OperatorCount = 15;

    private static readonly byte[] InsufficientGas =
        Keccak256.Hash(Encoding.ASCII.GetBytes("InferenceOracleInsufficientGas(uint256,uint256,uint256)"))[..4];

    /// <summary>
    /// Runtime code of a consumer that burns the gas it is given: loops until fewer than 300 gas are left, then stops
    /// (succeeds). JUMPDEST PUSH2 300 GAS LT PUSH1 12 JUMPI PUSH1 0 JUMP JUMPDEST STOP.
    /// </summary>
    private const string BurnerCode = "0x5b61012c5a10600c57600056" + "5b00";

    [Fact]
    public void Calldata_gas_counts_zero_and_non_zero_bytes_exactly()
    {
        // A hand-made call: selector 0xaabbccdd, then one word with 31 zero bytes and 0x01, then one word of 0xff.
        var data = new byte[4 + 64];
        data[0] = 0xaa; data[1] = 0xbb; data[2] = 0xcc; data[3] = 0xdd;
        data[35] = 0x01;
        for (var i = 36; i < 68; i++) data[i] = 0xff;
        // Non-zero: 4 + 1 + 32 = 37 bytes at 16; zero: 31 bytes at 4.
        Assert.Equal(37UL * 16 + 31UL * 4, FulfilmentGasModel.CalldataGas(data));
        // EIP-7623 floor: 21,000 + 10 × (31 + 4 × 37).
        Assert.Equal(21_000UL + 10 * (31 + 4 * 37), FulfilmentGasModel.FloorGas(data));

        // The model's calldata term of a real encoding equals a count of its bytes.
        var item = new InferenceOracleContract.Fulfilment(7, new InferenceOracleContract.Request(
                Address.Parse("0x00000000000000000000000000000000000000aa"), 1000, new byte[32], Enumerable.Repeat((byte)1, 32).ToArray(),
                1_700_000_000, 0, 8, 1),
            [0, 0, 0, 3, 0, 0, 0, 4], new byte[32], Enumerable.Repeat((byte)0x11, 65).ToArray());
        var encoded = InferenceOracleContract.EncodeFulfilBatch([item]);
        var zeros = encoded.Count(b => b == 0);
        Assert.Equal((ulong)zeros * 4 + (ulong)(encoded.Length - zeros) * 16, FulfilmentGasModel.CalldataGas(encoded));
        // fulfilBatch([item]): selector; array offset, length, offset of the tuple (3 words); the tuple's head:
        // requestId, the 8 request words, output offset, runtime, signature offset (12); output: length + 1 word (2);
        // signature: length + 3 words (4). 4 + 32 × 21 bytes.
        Assert.Equal(4 + 32 * 21, encoded.Length);
    }

    [Fact]
    public void Memory_gas_is_the_yellow_paper_formula()
    {
        Assert.Equal(0UL, FulfilmentGasModel.MemoryGas(0));
        Assert.Equal(3UL * 1024 + 1024 * 1024 / 512, FulfilmentGasModel.MemoryGas(1024));
    }

    [Fact]
    public async Task Redundancy_1_batches_of_1_to_64_items_with_short_and_long_outputs()
    {
        await using var bed = await GasBed.CreateAsync(node);
        var cases = new (int Size, int OutputBytes)[] { (1, 8), (4, 8), (16, 8), (64, 8), (64, 1), (16, 1024), (64, 1024) };
        var optedIn = new List<List<OnChain>>();
        var plain = new List<List<OnChain>>();
        foreach (var (size, outputBytes) in cases)
        {
            var batch = new List<OnChain>();
            for (var i = 0; i < size; i++) batch.Add(await bed.RequestAsync(Requester, outputBytes, finality: true));
            optedIn.Add(batch);
            batch = [];
            for (var i = 0; i < size; i++) batch.Add(await bed.RequestAsync(Requester, outputBytes));
            plain.Add(batch);
        }
        for (var c = 0; c < cases.Length; c++)
        {
            var (size, outputBytes) = cases[c];
            // A fresh operator per batch: its first credit is the cold zero → non-zero write. The worst real use of a
            // redundancy-1 batch is the opt-in path for every item (three new slots each).
            var op = FirstOperator + 2 * c;
            var items = optedIn[c].Select(r => bed.Fulfilment(op, r, GasBed.RandomOutput(r.OutputBytes))).ToList();
            await ComparePackedAsync(bed, $"fulfilBatchPacked k=1 n={size} L={outputBytes} all opted in (worst)", op, items, mayHaveOptedIn: true, worstCase: true);
            var logs = await CompareAsync(bed, $"fulfilBatch k=1 n={size} L={outputBytes} all opted in (worst)", op,
                InferenceOracleContract.EncodeFulfilBatch(items), FulfilmentGasModel.FulfilBatch(items), worstCase: true);
            Assert.Equal(size, logs.Count(l => InferenceOracleContract.IsResultProvisionalEvent(l.Topics)));

            // The common case: no item opted in. Sent with the limit for a caller that knows it; the default limit,
            // which must allow for the opt-in path, is printed next to it.
            op++;
            items = plain[c].Select(r => bed.Fulfilment(op, r, GasBed.RandomOutput(r.OutputBytes))).ToList();
            await ComparePackedAsync(bed, $"fulfilBatchPacked k=1 n={size} L={outputBytes} none opted in, mayHaveOptedIn: false", op, items,
                mayHaveOptedIn: false, worstCase: false);
            logs = await CompareAsync(bed, $"fulfilBatch k=1 n={size} L={outputBytes} none opted in, mayHaveOptedIn: false", op,
                InferenceOracleContract.EncodeFulfilBatch(items), FulfilmentGasModel.FulfilBatch(items, mayHaveOptedIn: false), worstCase: false);
            Assert.Equal(size, logs.Count(l => InferenceOracleContract.IsInferenceFulfilledEvent(l.Topics)));
            PrintRow($"fulfilBatch k=1 n={size} L={outputBytes} none opted in, default limit", LastUsed, FulfilmentGasModel.FulfilBatch(items), false);
        }

        // fulfil of one item by an operator already credited (warm balance: not the worst case).
        var single = await bed.RequestAsync(Requester, 8);
        var again = bed.Fulfilment(FirstOperator + 1, single, GasBed.RandomOutput(8));
        var one = await CompareAsync(bed, "fulfil k=1 L=8 known op", FirstOperator + 1,
            InferenceOracleContract.EncodeFulfil(again), FulfilmentGasModel.Fulfil(again), worstCase: false);
        Assert.Equal(1, one.Count(l => InferenceOracleContract.IsInferenceFulfilledEvent(l.Topics)));
    }

    [Fact]
    public async Task Callbacks_that_burn_their_whole_limit_get_it_in_full()
    {
        await using var bed = await GasBed.CreateAsync(node);
        var one = await bed.RequestAsync(CallbackRequester, 8, callbackGasLimit: 2_500_000);
        var limits = new uint[] { 100_000, 500_000, 1_000_000, 2_500_000 };
        var four = new List<OnChain>();
        foreach (var limit in limits) four.Add(await bed.RequestAsync(CallbackRequester, 8, callbackGasLimit: limit));
        var sixteen = new List<OnChain>();
        for (var i = 0; i < 16; i++) sixteen.Add(await bed.RequestAsync(CallbackRequester, i % 2 == 0 ? 1024 : 1, callbackGasLimit: 200_000));
        var sixtyFour = new List<OnChain>();
        for (var i = 0; i < 64; i++) sixtyFour.Add(await bed.RequestAsync(i % 2 == 0 ? CallbackRequester : Requester, 8, callbackGasLimit: 100_000));
        await bed.SetCodeAsync(CallbackRequester, BurnerCode);

        var item = bed.Fulfilment(FirstOperator, one, GasBed.RandomOutput(8));
        var logs = await CompareAsync(bed, "fulfil k=1 L=8 cb=2.5M burnt", FirstOperator,
            InferenceOracleContract.EncodeFulfil(item), FulfilmentGasModel.Fulfil(item), worstCase: true);
        Assert.Equal(0, logs.Count(l => InferenceOracleContract.IsCallbackFailedEvent(l.Topics)));

        var cases = new[] { ("fulfilBatch k=1 n=4 L=8 cb=0.1M..2.5M burnt", four), ("fulfilBatch k=1 n=16 L=1/1024 cb=200k burnt", sixteen),
            ("fulfilBatch k=1 n=64 L=8 cb=100k (half burnt, half EOA)", sixtyFour) };
        for (var c = 0; c < cases.Length; c++)
        {
            var op = FirstOperator + 1 + c;
            var items = cases[c].Item2.Select(r => bed.Fulfilment(op, r, GasBed.RandomOutput(r.OutputBytes))).ToList();
            await ComparePackedAsync(bed, cases[c].Item1.Replace("fulfilBatch", "fulfilBatchPacked", StringComparison.Ordinal), op, items,
                mayHaveOptedIn: true, worstCase: c < 2);
            logs = await CompareAsync(bed, cases[c].Item1, op, InferenceOracleContract.EncodeFulfilBatch(items), FulfilmentGasModel.FulfilBatch(items),
                worstCase: c < 2);
            Assert.Equal(items.Count, logs.Count(l => InferenceOracleContract.IsInferenceFulfilledEvent(l.Topics)));
            Assert.Equal(0, logs.Count(l => InferenceOracleContract.IsCallbackFailedEvent(l.Topics)));
        }
    }

    [Fact]
    public async Task A_real_consumer_is_called_back_within_the_modelled_limit()
    {
        // contracts/examples/CreditScoreConsumer: a 120,000 callback limit, of which storing a score spends about half.
        await using var bed = await GasBed.CreateAsync(node);
        var consumer = await bed.DeployConsumerAsync();
        var requests = new List<OnChain>();
        for (var i = 0; i < 4; i++) requests.Add(await bed.RequestScoreAsync(consumer, Requester + (i % 2)));

        var op = FirstOperator;
        var items = requests.Select(r => bed.Fulfilment(op, r, GasBed.RandomOutput(8))).ToList();
        var logs = await CompareAsync(bed, "fulfilBatch k=1 n=4 L=8 CreditScoreConsumer (cb=120k, not burnt)", op,
            InferenceOracleContract.EncodeFulfilBatch(items), FulfilmentGasModel.FulfilBatch(items), worstCase: false);
        Assert.Equal(4, logs.Count(l => InferenceOracleContract.IsInferenceFulfilledEvent(l.Topics)));
        Assert.Equal(0, logs.Count(l => InferenceOracleContract.IsCallbackFailedEvent(l.Topics)));
        Assert.Equal(4, LastLogs.Count(l => l.Address == consumer && CreditScoreConsumerContract.IsScoreReceivedEvent(l.Topics)));

        var one = await bed.RequestScoreAsync(consumer, Requester);
        var item = bed.Fulfilment(op, one, GasBed.RandomOutput(8));
        await CompareAsync(bed, "fulfil k=1 L=8 CreditScoreConsumer", op, InferenceOracleContract.EncodeFulfil(item),
            FulfilmentGasModel.Fulfil(item), worstCase: false);
        Assert.Equal(1, LastLogs.Count(l => l.Address == consumer && CreditScoreConsumerContract.IsScoreReceivedEvent(l.Topics)));
    }

    [Fact]
    public async Task Quorum_of_3_settling_votes_with_a_dissenter()
    {
        await using var bed = await GasBed.CreateAsync(node);
        var sizes = new[] { 1, 4, 16 };
        var batches = new List<List<OnChain>>();
        foreach (var size in sizes)
        {
            var batch = new List<OnChain>();
            for (var i = 0; i < size; i++)
                batch.Add(await bed.RequestAsync(i % 2 == 0 ? CallbackRequester : Requester, i % 4 == 3 ? 1024 : 8, redundancy: 3,
                    callbackGasLimit: i % 2 == 0 ? 150_000u : 0));
            batches.Add(batch);
        }
        await bed.SetCodeAsync(CallbackRequester, BurnerCode);

        for (var n = 0; n < sizes.Length; n++)
        {
            // Four operators per batch size: a slashed dissenter falls below the minimum stake and is inactive after.
            int a = FirstOperator + 4 * n, b = a + 1, dissenter = a + 2, c = a + 3;
            var batch = batches[n];
            var outputs = batch.Select(r => GasBed.RandomOutput(r.OutputBytes)).ToList();
            // The votes before the settling one are measured too: they record a vote and settle nothing, so the model,
            // which must assume the settling vote with the most dissenters, overshoots them (printed, not asserted).
            foreach (var (op, dissent) in new[] { (a, false), (dissenter, true), (b, false) })
            {
                var votes = batch.Select((r, i) => bed.Fulfilment(op, r, dissent ? GasBed.RandomOutput(r.OutputBytes) : outputs[i])).ToList();
                var voted = await CompareAsync(bed, $"fulfilBatch k=3 n={sizes[n]} non-settling vote", op, InferenceOracleContract.EncodeFulfilBatch(votes),
                    FulfilmentGasModel.FulfilBatch(votes), worstCase: false);
                Assert.Equal(0, voted.Count(l => InferenceOracleContract.IsInferenceFulfilledEvent(l.Topics)));
            }
            var settling = batch.Select((r, i) => bed.Fulfilment(c, r, outputs[i])).ToList();
            var logs = await CompareAsync(bed, $"fulfilBatch k=3 n={sizes[n]} settling, 1 dissenter, half cb=150k burnt", c,
                InferenceOracleContract.EncodeFulfilBatch(settling), FulfilmentGasModel.FulfilBatch(settling), worstCase: false);
            Assert.Equal(sizes[n], logs.Count(l => InferenceOracleContract.IsInferenceFulfilledEvent(l.Topics)));
            Assert.Equal(sizes[n], logs.Count(l => InferenceOracleContract.IsOperatorPenalizedEvent(l.Topics)));
        }
    }

    [Fact]
    public async Task Quorum_of_7_with_the_most_dissenters_allowed()
    {
        await using var first = await GasBed.CreateAsync(node);
        var bed = first;
        // 4 requests k = 7: two with a 500k callback into the burner, two with 1,024-byte outputs. 14 commitments
        // precede the settling one: 6 agreeing and 8 dissenting (each a different output, so none reaches 7).
        var requests = new List<OnChain>
        {
            await bed.RequestAsync(CallbackRequester, 8, redundancy: 7, callbackGasLimit: 500_000),
            await bed.RequestAsync(CallbackRequester, 1024, redundancy: 7, callbackGasLimit: 500_000),
            await bed.RequestAsync(Requester, 1024, redundancy: 7),
            await bed.RequestAsync(Requester, 8, redundancy: 7),
        };
        await bed.SetCodeAsync(CallbackRequester, BurnerCode);
        var outputs = requests.Select(r => GasBed.RandomOutput(r.OutputBytes)).ToList();
        for (var v = 0; v < 14; v++)
        {
            var op = FirstOperator + v;
            var agrees = v % 2 == 1 && v < 12; // 1, 3, 5, 7, 9, 11 agree: dissenters and agreers interleave
            var votes = requests.Select((r, i) => bed.Fulfilment(op, r, agrees ? outputs[i] : GasBed.RandomOutput(r.OutputBytes))).ToList();
            await CompareAsync(bed, $"fulfilBatch k=7 n=4 vote {v + 1} of 15", op, InferenceOracleContract.EncodeFulfilBatch(votes),
                FulfilmentGasModel.FulfilBatch(votes), worstCase: false, quiet: v is > 0 and < 13);
        }
        var last = FirstOperator + 14;
        var settling = requests.Select((r, i) => bed.Fulfilment(last, r, outputs[i])).ToList();
        var logs = await CompareAsync(bed, "fulfilBatch k=7 n=4 settling, 8 dissenters, cb=500k burnt ×2", last,
            InferenceOracleContract.EncodeFulfilBatch(settling), FulfilmentGasModel.FulfilBatch(settling), worstCase: true);
        Assert.Equal(4, logs.Count(l => InferenceOracleContract.IsInferenceFulfilledEvent(l.Topics)));
        Assert.Equal(32, logs.Count(l => InferenceOracleContract.IsOperatorPenalizedEvent(l.Topics)));
        Assert.Equal(0, logs.Count(l => InferenceOracleContract.IsCallbackFailedEvent(l.Topics)));

        // The same worst case through fulfil, on a fresh deployment (the dissenters above are slashed below the
        // minimum stake, so inactive): one request, 14 prior votes, the settling one alone.
        await using var fresh = await GasBed.CreateAsync(node);
        bed = fresh;
        var one = await bed.RequestAsync(Requester, 1024, redundancy: 7);
        var agreed = GasBed.RandomOutput(1024);
        for (var v = 0; v < 14; v++)
        {
            var op = FirstOperator + v;
            var vote = bed.Fulfilment(op, one, v % 2 == 1 && v < 12 ? agreed : GasBed.RandomOutput(1024));
            await bed.SendAsync(op, InferenceOracleContract.EncodeFulfil(vote), FulfilmentGasModel.Fulfil(vote));
        }
        var settles = bed.Fulfilment(last, one, agreed);
        logs = await CompareAsync(bed, "fulfil k=7 L=1024 settling, 8 dissenters", last,
            InferenceOracleContract.EncodeFulfil(settles), FulfilmentGasModel.Fulfil(settles), worstCase: true);
        Assert.Equal(8, logs.Count(l => InferenceOracleContract.IsOperatorPenalizedEvent(l.Topics)));

        // The most dissenters of all: k = 2, one agreeing vote and 13 dissenting before the settling one, with a
        // callback that burns its limit.
        await using var third = await GasBed.CreateAsync(node);
        bed = third;
        var two = await bed.RequestAsync(CallbackRequester, 8, redundancy: 2, callbackGasLimit: 300_000);
        await bed.SetCodeAsync(CallbackRequester, BurnerCode);
        agreed = GasBed.RandomOutput(8);
        for (var v = 0; v < 14; v++)
        {
            var op = FirstOperator + v;
            var vote = bed.Fulfilment(op, two, v == 7 ? agreed : GasBed.RandomOutput(8));
            await bed.SendAsync(op, InferenceOracleContract.EncodeFulfil(vote), FulfilmentGasModel.Fulfil(vote));
        }
        settles = bed.Fulfilment(last, two, agreed);
        logs = await CompareAsync(bed, "fulfil k=2 L=8 settling, 13 dissenters, cb=300k burnt", last,
            InferenceOracleContract.EncodeFulfil(settles), FulfilmentGasModel.Fulfil(settles), worstCase: true);
        Assert.Equal(13, logs.Count(l => InferenceOracleContract.IsOperatorPenalizedEvent(l.Topics)));
        Assert.Equal(0, logs.Count(l => InferenceOracleContract.IsCallbackFailedEvent(l.Topics)));
    }

    [Fact]
    public async Task Rejected_items_are_rejected_for_their_own_reason_only()
    {
        await using var bed = await GasBed.CreateAsync(node);
        var settled = new List<OnChain>();
        for (var i = 0; i < 3; i++) settled.Add(await bed.RequestAsync(Requester, 8));
        var fresh = new List<OnChain>();
        for (var i = 0; i < 4; i++) fresh.Add(await bed.RequestAsync(Requester, 8));
        var first = settled.Select(r => bed.Fulfilment(FirstOperator, r, GasBed.RandomOutput(8))).ToList();
        await bed.SendAsync(FirstOperator, InferenceOracleContract.EncodeFulfilBatch(first), FulfilmentGasModel.FulfilBatch(first));

        var op = FirstOperator + 1;
        var items = new List<InferenceOracleContract.Fulfilment>
        {
            bed.Fulfilment(op, settled[0], GasBed.RandomOutput(8)),  // already settled
            bed.Fulfilment(op, fresh[0], GasBed.RandomOutput(8)),
            bed.Fulfilment(op, fresh[1], GasBed.RandomOutput(9)),    // wrong output length
            bed.Fulfilment(op, settled[1], GasBed.RandomOutput(8)),
            bed.Fulfilment(op, fresh[2], GasBed.RandomOutput(8)),
            bed.Fulfilment(op, fresh[3], GasBed.RandomOutput(7)),
            bed.Fulfilment(op, settled[2], GasBed.RandomOutput(8)),
        };
        var logs = await CompareAsync(bed, "fulfilBatch k=1 n=7: 3 settled before, 2 wrong length, 2 fresh", op,
            InferenceOracleContract.EncodeFulfilBatch(items), FulfilmentGasModel.FulfilBatch(items), worstCase: false);
        Assert.Equal(2, logs.Count(l => InferenceOracleContract.IsInferenceFulfilledEvent(l.Topics)));
        Assert.Equal(5, logs.Count(l => InferenceOracleContract.IsFulfilmentRejectedEvent(l.Topics)));
    }

    [Fact]
    public async Task Finality_opt_in_results_settle_provisionally()
    {
        await using var bed = await GasBed.CreateAsync(node);
        var one = await bed.RequestAsync(Requester, 8, finality: true);
        var batch = new List<OnChain>();
        for (var i = 0; i < 16; i++)
            batch.Add(await bed.RequestAsync(i % 2 == 0 ? CallbackRequester : Requester, i % 4 == 1 ? 1024 : 8, callbackGasLimit: i % 2 == 0 ? 300_000u : 0, finality: true));
        await bed.SetCodeAsync(CallbackRequester, BurnerCode);

        var item = bed.Fulfilment(FirstOperator, one, GasBed.RandomOutput(8));
        var logs = await CompareAsync(bed, "fulfil finality L=8 fresh op", FirstOperator, InferenceOracleContract.EncodeFulfil(item),
            FulfilmentGasModel.Fulfil(item), worstCase: true);
        Assert.Equal(1, logs.Count(l => InferenceOracleContract.IsResultProvisionalEvent(l.Topics)));

        var op = FirstOperator + 1;
        var items = batch.Select(r => bed.Fulfilment(op, r, GasBed.RandomOutput(r.OutputBytes))).ToList();
        // Half the items carry a 300k callback limit the provisional path does not spend: not the worst case.
        logs = await CompareAsync(bed, "fulfilBatch finality n=16, half cb=300k (not called yet)", op,
            InferenceOracleContract.EncodeFulfilBatch(items), FulfilmentGasModel.FulfilBatch(items), worstCase: false);
        Assert.Equal(16, logs.Count(l => InferenceOracleContract.IsResultProvisionalEvent(l.Topics)));
        Assert.Equal(0, logs.Count(l => InferenceOracleContract.IsCallbackFailedEvent(l.Topics)));
    }

    [Fact]
    public async Task Failure_reports_with_refunds_callbacks_and_penalties()
    {
        await using var bed = await GasBed.CreateAsync(node);
        var plain = await bed.RequestAsync(Requester, 8);
        var withCallback = await bed.RequestAsync(CallbackRequester, 8, callbackGasLimit: 1_000_000);
        var optedIn = await bed.RequestAsync(CallbackRequester, 8, callbackGasLimit: 400_000, finality: true);
        var quorum = await bed.RequestAsync(CallbackRequester, 8, redundancy: 3, callbackGasLimit: 200_000);
        await bed.SetCodeAsync(CallbackRequester, BurnerCode);

        const ushort reason = 1;
        var report = bed.Failure(FirstOperator, plain, reason);
        await CompareAsync(bed, "reportFailure k=1 no cb, fresh requester", FirstOperator, InferenceOracleContract.EncodeReportFailure(report),
            FulfilmentGasModel.ReportFailure(report), worstCase: true);
        report = bed.Failure(FirstOperator, withCallback, reason);
        var logs = await CompareAsync(bed, "reportFailure k=1 cb=1M burnt", FirstOperator, InferenceOracleContract.EncodeReportFailure(report),
            FulfilmentGasModel.ReportFailure(report), worstCase: true);
        Assert.Equal(0, logs.Count(l => InferenceOracleContract.IsCallbackFailedEvent(l.Topics)));
        report = bed.Failure(FirstOperator, optedIn, reason);
        logs = await CompareAsync(bed, "reportFailure finality cb=400k burnt", FirstOperator, InferenceOracleContract.EncodeReportFailure(report),
            FulfilmentGasModel.ReportFailure(report), worstCase: true);
        Assert.Equal(1, logs.Count(l => InferenceOracleContract.IsInferenceFailedEvent(l.Topics)));

        // k = 3: two failure votes, one result (the dissenter), then the settling failure vote.
        foreach (var op in new[] { FirstOperator + 1, FirstOperator + 2 })
        {
            var vote = bed.Failure(op, quorum, reason);
            await bed.SendAsync(op, InferenceOracleContract.EncodeReportFailure(vote), FulfilmentGasModel.ReportFailure(vote));
        }
        var dissent = bed.Fulfilment(FirstOperator + 3, quorum, GasBed.RandomOutput(8));
        await bed.SendAsync(FirstOperator + 3, InferenceOracleContract.EncodeFulfil(dissent), FulfilmentGasModel.Fulfil(dissent));
        report = bed.Failure(FirstOperator + 4, quorum, reason);
        logs = await CompareAsync(bed, "reportFailure k=3 settling, 1 dissenter, cb=200k burnt", FirstOperator + 4,
            InferenceOracleContract.EncodeReportFailure(report), FulfilmentGasModel.ReportFailure(report), worstCase: false);
        Assert.Equal(1, logs.Count(l => InferenceOracleContract.IsOperatorPenalizedEvent(l.Topics)));
        Assert.Equal(1, logs.Count(l => InferenceOracleContract.IsInferenceFailedEvent(l.Topics)));
    }

    /// <summary>Sends <paramref name="data"/> from the same snapshot with ample gas and with the model's limit and
    /// compares; returns the oracle logs of the modelled run.</summary>
    private async Task<IReadOnlyList<RpcLog>> CompareAsync(GasBed bed, string name, int account, byte[] data, ulong limit, bool worstCase,
        bool quiet = false)
    {
        var snapshot = (await node.RpcAsync("evm_snapshot")).GetString();
        var ample = await bed.SendAsync(account, data, FulfilmentGasModel.TransactionGasCap);
        Assert.True((await node.RpcAsync("evm_revert", snapshot)).GetBoolean());
        // For the worst cases, how far the limit is above the least one that still gives the same outcome (what the
        // contract's own checks need, not only what is used): the model's real safety margin. Probed from this state.
        LastLeast = worstCase && ample.Succeeded && limit > ample.GasUsed
            ? await LeastWorkingLimitAsync(bed, account, data, ample.GasUsed, limit, Describe(ample.Logs))
            : null;
        var modelled = await bed.SendAsync(account, data, limit);

        Assert.True(ample.Succeeded, $"{name}: failed with ample gas");
        Assert.True(modelled.Succeeded, $"{name}: failed with the modelled limit {limit}");
        var oracle = bed.Oracle;
        Assert.Equal(Describe(ample.Logs), Describe(modelled.Logs));
        Assert.Equal(ample.GasUsed, modelled.GasUsed);
        var logs = modelled.Logs.Where(l => l.Address == oracle).ToList();
        Assert.DoesNotContain(logs, l => InferenceOracleContract.IsFulfilmentRejectedEvent(l.Topics) && l.Data.AsSpan(0, 4).SequenceEqual(InsufficientGas));

        var used = modelled.GasUsed;
        LastUsed = used;
        LastLogs = modelled.Logs;
        LastCalldata = FulfilmentGasModel.CalldataGas(data);
        if (!quiet) PrintRow(name, used, limit, worstCase);
        Assert.True(used <= limit, $"{name}: used {used} > limit {limit}");
        if (worstCase) Assert.True(limit <= 2 * used + Slack, $"{name}: limit {limit} > 2 × {used} + {Slack}");
        if (LastLeast is { } least)
            Assert.True(least + MinimumMargin <= limit, $"{name}: limit {limit} is within {MinimumMargin} of the least working limit {least}");
        return logs;
    }

    /// <summary><see cref="CompareAsync"/> for the packed form of a batch (what the node sends), from the same state,
    /// which is then put back for the ABI form of the same items.</summary>
    private async Task ComparePackedAsync(GasBed bed, string name, int account, IReadOnlyList<InferenceOracleContract.Fulfilment> items,
        bool mayHaveOptedIn, bool worstCase)
    {
        var snapshot = (await node.RpcAsync("evm_snapshot")).GetString();
        var logs = await CompareAsync(bed, name, account, InferenceOracleContract.EncodeFulfilBatchPacked(PackedFulfilmentBatch.Encode(items)),
            FulfilmentGasModel.FulfilBatchPacked(items, mayHaveOptedIn), worstCase);
        Assert.Equal(items.Count, logs.Count(l => InferenceOracleContract.IsCommitmentRecordedEvent(l.Topics)));
        Assert.True((await node.RpcAsync("evm_revert", snapshot)).GetBoolean());
    }

    /// <summary>Gas used by the last case <see cref="CompareAsync"/> ran.</summary>
    private ulong LastUsed { get; set; }

    private ulong LastCalldata { get; set; }

    /// <summary>The least limit (to 1,000 gas) with the ample run's outcome, found for the last worst case.</summary>
    private ulong? LastLeast { get; set; }

    /// <summary>Binary search, each probe sent from a snapshot and reverted, for the least gas limit whose run succeeds
    /// with <paramref name="expected"/> logs (no item rejected for gas, no callback starved).</summary>
    private async Task<ulong> LeastWorkingLimitAsync(GasBed bed, int account, byte[] data, ulong low, ulong high, string expected)
    {
        // `high` is assumed to work (the modelled run checks it); below `low` (gasUsed) nothing can.
        while (high - low > 1_000)
        {
            var probe = low + (high - low) / 2;
            var snapshot = (await node.RpcAsync("evm_snapshot")).GetString();
            var receipt = await bed.SendAsync(account, data, probe);
            Assert.True((await node.RpcAsync("evm_revert", snapshot)).GetBoolean());
            if (receipt.Succeeded && Describe(receipt.Logs) == expected) high = probe;
            else low = probe;
        }
        return high;
    }

    /// <summary>Every log (oracle, registry, consumer) of the last modelled run.</summary>
    private IReadOnlyList<RpcLog> LastLogs { get; set; } = [];

    /// <summary>A table row: case, gas used, of it calldata, execution (used − 21,000 − calldata), the limit, the
    /// limit's execution part (limit − 21,000 − calldata, headroom included), limit / used, and for worst cases the
    /// least working limit.</summary>
    private void PrintRow(string name, ulong used, ulong limit, bool worstCase) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {used:N0} | {LastCalldata:N0} | {used - 21_000 - LastCalldata:N0} | {limit:N0} | {limit - 21_000 - LastCalldata:N0} | {(double)limit / used:F2} |{(worstCase ? $" worst case, least working limit {LastLeast:N0} ({(double)limit / LastLeast!.Value:F2}×)" : "")}"));

    /// <summary>All logs (oracle, operator registry, consumer) as text, without the data of ResultProvisional (its
    /// challenge deadline depends on the block's timestamp).</summary>
    private static string Describe(IEnumerable<RpcLog> logs) =>
        string.Join('\n', logs.Select(l => l.Address + "|" + string.Join(',', l.Topics.Select(t => Hex.Encode(t))) + ":"
            + (InferenceOracleContract.IsResultProvisionalEvent(l.Topics) ? "" : Hex.Encode(l.Data))));

    /// <summary>A request as the oracle stored it, and the output length its model fixes.</summary>
    private sealed record OnChain(BigInteger RequestId, InferenceOracleContract.Request Request, int OutputBytes);

    /// <summary>A fresh deployment with three models (1-, 8- and 1,024-byte outputs) and 15 registered operators.</summary>
    private sealed class GasBed : IAsyncDisposable
    {
        private static readonly byte[] Runtime = Keccak256.Hash(Encoding.UTF8.GetBytes("gas-model-test"));
        private readonly HardhatNode _node;
        private readonly ChainTestbed _bed;
        private readonly Dictionary<int, byte[]> _models;
        private readonly Eip712Domain _domain;
        private readonly HashSet<int> _coded = [];

        private GasBed(HardhatNode node, ChainTestbed bed, Dictionary<int, byte[]> models)
        {
            _node = node;
            _bed = bed;
            _models = models;
            _domain = Eip712Domain.InferenceOracle(HardhatNode.ChainId, bed.Deployment.InferenceOracle);
        }

        public Address Oracle => _bed.Deployment.InferenceOracle;

        public static async Task<GasBed> CreateAsync(HardhatNode node)
        {
            var bed = await ChainTestbed.DeployAsync(node);
            var models = new Dictionary<int, byte[]> { [8] = bed.ModelId };
            foreach (var length in new[] { 1, 1024 })
            {
                var modelId = Keccak256.Hash(Guid.NewGuid().ToByteArray());
                await bed.Owner.SendAndWaitAsync(new TransactionCall(bed.Deployment.ModelRegistry, ModelRegistryContract.EncodeRegisterModel(
                    modelId, "", ChainTestbed.InputSpec, new ModelRegistryContract.TensorSpec(1, 0, -100, 100, [length]), ChainTestbed.Fee)),
                    ChainTestbed.Timeout);
                models[length] = modelId;
            }
            var gasBed = new GasBed(node, bed, models);
            for (var i = 0; i < OperatorCount; i++)
                await gasBed.SendAsync(FirstOperator + i, OperatorRegistryContract.EncodeRegister(), 200_000, bed.Deployment.OperatorRegistry, ChainTestbed.MinStake);
            return gasBed;
        }

        public static byte[] RandomOutput(int length)
        {
            var output = new byte[length];
            Random.Shared.NextBytes(output);
            return output;
        }

        public async Task<OnChain> RequestAsync(int account, int outputBytes, int redundancy = 1, uint callbackGasLimit = 0, bool finality = false)
        {
            var latest = await _bed.Rpc.GetBlockByNumberAsync(BlockTag.Latest);
            var deadline = latest!.Timestamp + 3600;
            var model = _models[outputBytes];
            var input = ChainTestbed.RandomInput();
            var data = finality
                ? InferenceOracleContract.EncodeRequestInferenceWithFinality(model, input, callbackGasLimit, deadline)
                : InferenceOracleContract.EncodeRequestInference(model, input, callbackGasLimit, redundancy, deadline);
            var receipt = await SendAsync(account, data, 400_000, Oracle, ChainTestbed.Fee * redundancy);
            Assert.True(receipt.Succeeded);
            var log = receipt.Logs.Single(l => InferenceOracleContract.IsInferenceRequestedEvent(l.Topics));
            var requested = InferenceOracleContract.DecodeInferenceRequestedEvent(log.Topics, log.Data);
            return new OnChain(requested.RequestId, requested.Request, outputBytes);
        }

        public InferenceOracleContract.Fulfilment Fulfilment(int account, OnChain request, byte[] output)
        {
            var signature = CommitmentSigning.SignCommitment(_bed.Key(account), _domain, request.RequestId, request.Request.ModelId,
                request.Request.InputHash, Keccak256.Hash(output), Runtime);
            return new InferenceOracleContract.Fulfilment(request.RequestId, request.Request, output, Runtime, signature.ToBytes());
        }

        public InferenceOracleContract.FailureReport Failure(int account, OnChain request, ushort reason)
        {
            var signature = CommitmentSigning.SignFailure(_bed.Key(account), _domain, request.RequestId, request.Request.ModelId,
                request.Request.InputHash, reason, Runtime);
            return new InferenceOracleContract.FailureReport(request.RequestId, request.Request, reason, Runtime, signature.ToBytes());
        }

        /// <summary>Deploys contracts/examples/CreditScoreConsumer for the 8-byte model (int32 in, int32 out).</summary>
        public async Task<Address> DeployConsumerAsync()
        {
            var receipt = await SendAsync(1, CreditScoreConsumerContract.EncodeDeployment(Oracle, _models[8], 3, 3), 3_000_000, null, BigInteger.Zero);
            Assert.True(receipt.Succeeded);
            return receipt.ContractAddress!.Value;
        }

        /// <summary>requestScore from <paramref name="account"/>: the consumer is the oracle request's requester.</summary>
        public async Task<OnChain> RequestScoreAsync(Address consumer, int account)
        {
            var latest = await _bed.Rpc.GetBlockByNumberAsync(BlockTag.Latest);
            var features = Enumerable.Range(0, 4).Select(_ => new BigInteger(Random.Shared.Next(-100, 100))).ToArray();
            var receipt = await SendAsync(account, CreditScoreConsumerContract.EncodeRequestScore(features, 1, latest!.Timestamp + 3600), 600_000,
                consumer, ChainTestbed.Fee);
            Assert.True(receipt.Succeeded);
            var log = receipt.Logs.Single(l => InferenceOracleContract.IsInferenceRequestedEvent(l.Topics));
            var requested = InferenceOracleContract.DecodeInferenceRequestedEvent(log.Topics, log.Data);
            return new OnChain(requested.RequestId, requested.Request, 8);
        }

        /// <summary>Gives the account code (after it made its requests: an account with code cannot send).</summary>
        public async Task SetCodeAsync(int account, string code)
        {
            await _node.RpcAsync("hardhat_setCode", _node.Accounts[account].Address, code);
            _coded.Add(account);
        }

        public Task<RpcReceipt> SendAsync(int account, byte[] data, ulong gas) => SendAsync(account, data, gas, Oracle, BigInteger.Zero);

        /// <summary>Signs and sends with a fixed gas limit (no estimate) and returns the receipt, reverted or not.</summary>
        public async Task<RpcReceipt> SendAsync(int account, byte[] data, ulong gas, Address? to, BigInteger value)
        {
            var sender = new TransactionSender(_bed.Rpc, _bed.Key(account), HardhatNode.ChainId) { ReceiptPollInterval = TimeSpan.FromMilliseconds(10) };
            byte[] hash;
            try
            {
                hash = (await sender.SendAsync(new TransactionCall(to, data, value, gas))).Hash;
            }
            catch (ContractRevertedException e) when (e.TransactionHash is not null)
            {
                hash = e.TransactionHash;
            }
            return await sender.WaitForReceiptAsync(hash, ChainTestbed.Timeout);
        }

        public async ValueTask DisposeAsync()
        {
            // Accounts keep code across deployments on the shared node: take it away again.
            foreach (var account in _coded) await _node.RpcAsync("hardhat_setCode", _node.Accounts[account].Address, "0x");
            _bed.Dispose();
        }
    }
}
