using System.Numerics;
using OpenGradient.Oracle.Chain.Calldata;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Operator;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Listening;
using OpenGradient.Oracle.Chain.Submission;
using OpenGradient.Oracle.Chain.Tests.Support;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Submission;

/// <summary>The submitter and receipt tracker against a real Hardhat node and real PostgreSQL stores.</summary>
public sealed class ResultSubmitterTests(HardhatNode node, PostgresServer postgres)
    : IClassFixture<HardhatNode>, IClassFixture<PostgresServer>
{
    private const int Requester = 5;
    private const int OperatorA = 6;
    private const int OperatorB = 7;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private sealed record Setup(ChainTestbed Bed, Stores Stores, ChainContext Context, ChainIdentity Identity, List<InferenceRequest> Requests)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Context.Dispose();
            await Stores.DisposeAsync();
            Bed.Dispose();
        }
    }

    /// <summary>Deploys, registers the operator, sends <paramref name="count"/> requests and stores them as the listener would.</summary>
    private async Task<Setup> SetUpAsync(int count, int operatorAccount = OperatorA)
    {
        var bed = await ChainTestbed.DeployAsync(node);
        await bed.RegisterOperatorAsync(operatorAccount);
        var stores = await Stores.CreateAsync(postgres);
        var context = await ChainTestbed.ContextAsync(bed.Options(), bed.Key(operatorAccount));
        var identity = await context.GetIdentityAsync();
        var requester = ChainTestbed.Sender(node, bed.Rpc, Requester);
        for (var i = 0; i < count; i++) await bed.RequestAsync(requester);
        var logs = await bed.Rpc.GetLogsAsync(new LogFilter
        {
            Addresses = [bed.Deployment.InferenceOracle],
            Topics = [[RequestEvents.Topic0]],
            FromBlock = BlockTag.Number(bed.Deployment.DeploymentBlock),
            ToBlock = BlockTag.Latest,
        });
        var requests = logs.Select(l => RequestEvents.FromLog(HardhatNode.ChainId, l)).ToList();
        foreach (var r in requests) await stores.Requests.AddIfAbsentAsync(r);
        return new Setup(bed, stores, context, identity, requests);
    }

    private static ResultSubmitter Submitter(Setup s) =>
        new(s.Context, s.Stores.Nonces, s.Stores.Transactions, TimeProvider.System, Loggers.For<ResultSubmitter>());

    private static byte[] Output(int a, int b) => [0, 0, 0, (byte)a, 0, 0, 0, (byte)b];

    [Fact]
    public async Task Commitment_and_failure_digests_equal_the_contracts_own_hashing()
    {
        await using var s = await SetUpAsync(1);
        var request = s.Requests[0];
        var runtime = Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes(RuntimeDescriptor.Current));
        var outputHash = Keccak256.Hash(Output(1, 2));

        var ours = CommitmentSigning.CommitmentDigest(s.Identity.Domain, request.Key.RequestId, request.Request.ModelId, request.Request.InputHash, outputHash, runtime);
        var theirs = InferenceOracleContract.DecodeCommitmentDigestOutput(await s.Bed.Rpc.EthCallAsync(new TransactionRequest
        {
            To = s.Identity.Oracle,
            Data = InferenceOracleContract.EncodeCommitmentDigest(request.Key.RequestId, request.Request.ModelId, request.Request.InputHash, outputHash, runtime),
        }));
        Assert.Equal(Hex.Encode(theirs), Hex.Encode(ours));

        var failure = CommitmentSigning.FailureDigest(s.Identity.Domain, request.Key.RequestId, request.Request.ModelId, request.Request.InputHash,
            (ushort)FailureReason.InputOutOfRange, runtime);
        var contractFailure = InferenceOracleContract.DecodeFailureDigestOutput(await s.Bed.Rpc.EthCallAsync(new TransactionRequest
        {
            To = s.Identity.Oracle,
            Data = InferenceOracleContract.EncodeFailureDigest(request.Key.RequestId, request.Request.ModelId, request.Request.InputHash,
                (int)FailureReason.InputOutOfRange, runtime),
        }));
        Assert.Equal(Hex.Encode(contractFailure), Hex.Encode(failure));
    }

    [Fact]
    public async Task Results_waiting_together_go_out_in_one_packed_batch_and_failures_in_reportFailure_and_all_settle()
    {
        await using var s = await SetUpAsync(4);
        var submitter = Submitter(s);
        await submitter.StartAsync(CancellationToken.None);
        try
        {
            var outcomes = new[]
            {
                InferenceOutcome.Success(Output(1, 2)), InferenceOutcome.Success(Output(3, 4)), InferenceOutcome.Success(Output(5, 6)),
                InferenceOutcome.Failed(FailureReason.InputOutOfRange),
            };
            var receipts = await Task.WhenAll(s.Requests.Select((r, i) =>
                submitter.SubmitAsync([new ResultSubmission(r, outcomes[i])])));

            var batchHash = Hex.Encode(receipts[0].TransactionHash);
            Assert.Equal(batchHash, Hex.Encode(receipts[1].TransactionHash));
            Assert.Equal(batchHash, Hex.Encode(receipts[2].TransactionHash));
            Assert.NotEqual(batchHash, Hex.Encode(receipts[3].TransactionHash));

            var batch = await s.Bed.Owner.WaitForReceiptAsync(receipts[0].TransactionHash, Wait);
            Assert.True(batch.Succeeded);
            var fulfilled = batch.Logs.Where(l => InferenceOracleContract.IsInferenceFulfilledEvent(l.Topics))
                .Select(l => InferenceOracleContract.DecodeInferenceFulfilledEvent(l.Topics, l.Data)).ToList();
            Assert.Equal(s.Requests.Take(3).Select(r => r.Key.RequestId), fulfilled.Select(f => f.RequestId));
            Assert.Equal(Hex.Encode(Output(3, 4)), Hex.Encode(fulfilled[1].Output));
            var tx = await s.Bed.Rpc.CallAsync<System.Text.Json.JsonElement>("eth_getTransactionByHash", [batchHash]);
            var input = Hex.Decode(tx.GetProperty("input").GetString()!);
            Assert.Equal(Hex.Encode(InferenceOracleContract.FulfilBatchPackedFunction.Selector), Hex.Encode(input.AsSpan(0, 4)));
            var sent = PackedFulfilmentBatch.Decode((byte[])InferenceOracleContract.FulfilBatchPackedFunction.DecodeCall(input)[0]!);
            Assert.Equal(s.Requests.Take(3).Select(r => r.Key.RequestId), sent.Select(f => f.RequestId));

            var report = await s.Bed.Owner.WaitForReceiptAsync(receipts[3].TransactionHash, Wait);
            var failed = report.Logs.Where(l => InferenceOracleContract.IsInferenceFailedEvent(l.Topics))
                .Select(l => InferenceOracleContract.DecodeInferenceFailedEvent(l.Topics, l.Data)).Single();
            Assert.Equal(s.Requests[3].Key.RequestId, failed.RequestId);
            Assert.Equal((int)FailureReason.InputOutOfRange, (int)failed.Reason);

            var statuses = await Task.WhenAll(s.Requests.Select(r => s.Bed.StatusAsync(r.Key.RequestId)));
            Assert.Equal(new[] { 2, 2, 2, 3 }, statuses);
            var stored = await s.Stores.Transactions.ListForRequestAsync(s.Requests[1].Key);
            Assert.Equal(batchHash, Hex.Encode(Assert.Single(stored).Hash));
            Assert.Equal(3, stored[0].Requests.Count);
        }
        finally
        {
            await submitter.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_burst_goes_out_as_batches_with_consecutive_nonces_each_mined_and_every_request_carried_once()
    {
        await using var s = await SetUpAsync(24);
        // Batches of at most 4: several transactions, each next one signed and stored while the one before is broadcast.
        using var context = await ChainTestbed.ContextAsync(s.Bed.Options(o => o.MaxBatchSize = 4), s.Bed.Key(OperatorA));
        var submitter = new ResultSubmitter(context, s.Stores.Nonces, s.Stores.Transactions, TimeProvider.System, Loggers.For<ResultSubmitter>());
        await submitter.StartAsync(CancellationToken.None);
        try
        {
            var receipts = await Task.WhenAll(s.Requests.Select((r, i) =>
                submitter.SubmitAsync([new ResultSubmission(r, InferenceOutcome.Success(Output(i, i)))])));

            var transactions = receipts.GroupBy(r => Hex.Encode(r.TransactionHash)).Select(g => g.First()).OrderBy(r => r.Nonce).ToList();
            Assert.InRange(transactions.Count, 6, 24);
            Assert.Equal(Enumerable.Range(0, transactions.Count).Select(n => transactions[0].Nonce + (ulong)n), transactions.Select(t => t.Nonce));
            foreach (var t in transactions) Assert.True((await s.Bed.Owner.WaitForReceiptAsync(t.TransactionHash, Wait)).Succeeded);
            Assert.All(await Task.WhenAll(s.Requests.Select(r => s.Bed.StatusAsync(r.Key.RequestId))), status => Assert.Equal(2, status));
            foreach (var request in s.Requests)
            {
                var carriers = await s.Stores.Transactions.ListForRequestAsync(request.Key);
                Assert.Equal(OutboundTransactionStatus.Pending, Assert.Single(carriers).Status); // the tracker has not run: still Pending in the store
            }
        }
        finally
        {
            await submitter.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task One_result_per_transaction_stored_while_a_broadcast_is_out_go_out_together_in_nonce_order_and_all_settle(
        bool endpointRefusesBatches)
    {
        await using var s = await SetUpAsync(24);
        using var endpoint = new BatchPolicyHandler(endpointRefusesBatches);
        using var http = new HttpClient(endpoint);
        using var context = new ChainContext(new EthRpcClient(s.Bed.Options().PrimaryRpcUrl, http), new InMemoryOperatorKeyProvider(s.Bed.Key(OperatorA)),
            s.Bed.Options(o => o.MaxBatchSize = 1));
        await context.InitializeAsync();
        var submitter = new ResultSubmitter(context, s.Stores.Nonces, s.Stores.Transactions, TimeProvider.System, Loggers.For<ResultSubmitter>());
        await submitter.StartAsync(CancellationToken.None);
        try
        {
            var receipts = await Task.WhenAll(s.Requests.Select((r, i) =>
                submitter.SubmitAsync([new ResultSubmission(r, InferenceOutcome.Success(Output(i, i)))])));

            // 24 transactions with consecutive nonces, each mined, every request settled...
            var byNonce = receipts.OrderBy(r => r.Nonce).ToList();
            Assert.Equal(24, byNonce.Select(r => Hex.Encode(r.TransactionHash)).Distinct().Count());
            Assert.Equal(Enumerable.Range(0, 24).Select(n => byNonce[0].Nonce + (ulong)n), byNonce.Select(r => r.Nonce));
            foreach (var r in byNonce) Assert.True((await s.Bed.Owner.WaitForReceiptAsync(r.TransactionHash, Wait)).Succeeded);
            Assert.All(await Task.WhenAll(s.Requests.Select(r => s.Bed.StatusAsync(r.Key.RequestId))), status => Assert.Equal(2, status));
            // ...sent in fewer requests than transactions: those stored while a broadcast was out went together (an
            // automining devnet refuses a nonce that arrives before its predecessor's, so their order held too). An
            // endpoint that refuses batches gets the one refused batch and then one request per transaction.
            var sends = endpoint.ServedRawSends.ToArray();
            Assert.Equal(24, sends.Sum());
            if (endpointRefusesBatches)
            {
                Assert.All(sends, n => Assert.Equal(1, n));
                Assert.Equal(1, endpoint.Batches);
            }
            else
            {
                Assert.True(sends.Length < 24, $"every transaction went in a request of its own: {string.Join(", ", sends)}");
                Assert.All(sends, n => Assert.InRange(n, 1, ResultSubmitter.MaxBroadcastBatch));
            }
        }
        finally
        {
            await submitter.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Results_submitted_again_while_earlier_batches_are_still_in_flight_get_the_one_transaction_that_carries_them()
    {
        // Re-run jobs hand in the same results while the loop is busy simulating one batch and sending another: each
        // request must still end up in exactly one transaction, whichever step its twin meets it at.
        await using var s = await SetUpAsync(6);
        var submitter = Submitter(s);
        await submitter.StartAsync(CancellationToken.None);
        try
        {
            var results = s.Requests.Select((r, i) => new ResultSubmission(r, InferenceOutcome.Success(Output((byte)i, 9)))).ToArray();
            var calls = new List<(int Index, Task<SubmissionReceipt> Receipt)>();
            for (var round = 0; round < 4; round++)
            {
                for (var i = 0; i < results.Length; i++) calls.Add((i, submitter.SubmitAsync([results[i]])));
                await Task.Delay(15 * round);
            }
            await Task.WhenAll(calls.Select(c => c.Receipt));

            for (var i = 0; i < results.Length; i++)
            {
                var hashes = calls.Where(c => c.Index == i).Select(c => Hex.Encode(c.Receipt.Result.TransactionHash)).Distinct().ToArray();
                var stored = await s.Stores.Transactions.ListForRequestAsync(s.Requests[i].Key);
                Assert.Equal(Hex.Encode(Assert.Single(stored).Hash), Assert.Single(hashes));
            }
            foreach (var r in s.Requests) Assert.Equal(2, await s.Bed.StatusAsync(r.Key.RequestId)); // settled
        }
        finally
        {
            await submitter.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_result_handed_in_after_the_submitter_stopped_is_refused_at_once_not_left_waiting()
    {
        await using var s = await SetUpAsync(1);
        var submitter = Submitter(s);
        await submitter.StartAsync(CancellationToken.None);
        await submitter.StopAsync(CancellationToken.None);

        // Without a token to cancel it (a job draining at shutdown keeps its token): it must fail, not hang.
        var submit = submitter.SubmitAsync([new ResultSubmission(s.Requests[0], InferenceOutcome.Success(Output(1, 2)))]);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => submit.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("stopped", e.Message, StringComparison.Ordinal);
        Assert.Empty(await s.Stores.Transactions.ListForRequestAsync(s.Requests[0].Key));
    }

    [Fact]
    public async Task Submitting_the_same_request_again_returns_the_transaction_that_already_carries_it()
    {
        await using var s = await SetUpAsync(1);
        var submitter = Submitter(s);
        await submitter.StartAsync(CancellationToken.None);
        try
        {
            var result = new ResultSubmission(s.Requests[0], InferenceOutcome.Success(Output(7, 8)));
            var first = await submitter.SubmitAsync([result]);
            var nonceAfterFirst = await s.Bed.Rpc.GetTransactionCountAsync(s.Identity.Operator, BlockTag.Pending);

            var again = await submitter.SubmitAsync([result]);
            // A restarted node (new submitter, same database) answers the same.
            var restarted = Submitter(s);
            await restarted.StartAsync(CancellationToken.None);
            var afterRestart = await restarted.SubmitAsync([result]);
            await restarted.StopAsync(CancellationToken.None);

            Assert.Equal(Hex.Encode(first.TransactionHash), Hex.Encode(again.TransactionHash));
            Assert.Equal(Hex.Encode(first.TransactionHash), Hex.Encode(afterRestart.TransactionHash));
            Assert.Equal(first.Nonce, afterRestart.Nonce);
            Assert.Equal(nonceAfterFirst, await s.Bed.Rpc.GetTransactionCountAsync(s.Identity.Operator, BlockTag.Pending));
        }
        finally
        {
            await submitter.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Results_of_an_operator_that_is_unbonding_are_held_back_without_sending_and_are_good_for_an_active_one()
    {
        await using var s = await SetUpAsync(2);
        var operatorSender = ChainTestbed.Sender(node, s.Bed.Rpc, OperatorA);
        await operatorSender.SendAndWaitAsync(new TransactionCall(s.Bed.Deployment.OperatorRegistry, OperatorRegistryContract.EncodeRequestUnbond()),
            ChainTestbed.Timeout);
        var metrics = new FeeCapRecorder();
        var submitter = new ResultSubmitter(s.Context, s.Stores.Nonces, s.Stores.Transactions, TimeProvider.System, Loggers.For<ResultSubmitter>(), metrics);
        await submitter.StartAsync(CancellationToken.None);
        try
        {
            var nonceBefore = await s.Bed.Rpc.GetTransactionCountAsync(s.Identity.Operator, BlockTag.Pending);
            var results = s.Requests.Select(r => new ResultSubmission(r, InferenceOutcome.Success(Output(3, 4)))).ToArray();

            // Two results would make a fulfilBatch, which is never simulated: the standing check is what stops it.
            var e = await Assert.ThrowsAsync<OperatorInactiveException>(() => submitter.SubmitAsync(results));
            Assert.Contains("not active", e.Message, StringComparison.Ordinal);
            Assert.Equal(nonceBefore, await s.Bed.Rpc.GetTransactionCountAsync(s.Identity.Operator, BlockTag.Pending));
            Assert.Empty(await s.Stores.Transactions.ListForRequestAsync(s.Requests[0].Key));
            Assert.Equal(1, await s.Bed.StatusAsync(s.Requests[0].Key.RequestId)); // still pending
            await Assert.ThrowsAsync<OperatorInactiveException>(() => submitter.SubmitAsync(results)); // held again...
            Assert.Equal([false], metrics.OperatorStanding); // ...but reported once

            // The results themselves are good: an active operator's node posts them.
            await s.Bed.RegisterOperatorAsync(OperatorB);
            using var otherContext = await ChainTestbed.ContextAsync(s.Bed.Options(), s.Bed.Key(OperatorB));
            await using var otherStores = await Stores.CreateAsync(postgres);
            var other = new ResultSubmitter(otherContext, otherStores.Nonces, otherStores.Transactions, TimeProvider.System, Loggers.For<ResultSubmitter>());
            await other.StartAsync(CancellationToken.None);
            var sent = await other.SubmitAsync(results);
            await other.StopAsync(CancellationToken.None);
            Assert.True((await s.Bed.Owner.WaitForReceiptAsync(sent.TransactionHash, Wait)).Succeeded);
            Assert.Equal(2, await s.Bed.StatusAsync(s.Requests[0].Key.RequestId)); // fulfilled
        }
        finally
        {
            await submitter.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_request_settled_by_another_operator_is_reported_as_not_needed_without_sending()
    {
        await using var s = await SetUpAsync(1);
        await s.Bed.RegisterOperatorAsync(OperatorB);
        var result = new ResultSubmission(s.Requests[0], InferenceOutcome.Success(Output(1, 1)));
        var first = Submitter(s);
        await first.StartAsync(CancellationToken.None);
        await s.Bed.Owner.WaitForReceiptAsync((await first.SubmitAsync([result])).TransactionHash, Wait);
        await first.StopAsync(CancellationToken.None);

        // Operator B, with its own database, arrives second.
        await using var otherStores = await Stores.CreateAsync(postgres);
        using var otherContext = await ChainTestbed.ContextAsync(s.Bed.Options(), s.Bed.Key(OperatorB));
        var other = new ResultSubmitter(otherContext, otherStores.Nonces, otherStores.Transactions, TimeProvider.System, Loggers.For<ResultSubmitter>());
        await other.StartAsync(CancellationToken.None);
        var nonceBefore = await s.Bed.Rpc.GetTransactionCountAsync(s.Bed.Key(OperatorB).Address, BlockTag.Pending);
        var e = await Assert.ThrowsAsync<SubmissionNotNeededException>(() => other.SubmitAsync([result]));
        await other.StopAsync(CancellationToken.None);

        Assert.Contains("InferenceOracleNotPending", e.Message, StringComparison.Ordinal);
        Assert.Equal(nonceBefore, await s.Bed.Rpc.GetTransactionCountAsync(s.Bed.Key(OperatorB).Address, BlockTag.Pending));
    }

    [Fact]
    public async Task Under_load_a_lone_result_goes_unsimulated_and_one_settled_elsewhere_reverts_and_is_recorded_as_such()
    {
        await using var s = await SetUpAsync(3);
        await s.Bed.RegisterOperatorAsync(OperatorB);
        var results = s.Requests.Select((r, i) => new ResultSubmission(r, InferenceOutcome.Success(Output(i, 1)))).ToArray();
        var first = Submitter(s);
        await first.StartAsync(CancellationToken.None);
        await s.Bed.Owner.WaitForReceiptAsync((await first.SubmitAsync([results[0]])).TransactionHash, Wait);
        await first.StopAsync(CancellationToken.None);

        // Operator B, one result per transaction, gets all three at once: the first two each have another waiting
        // behind them, so they are not simulated; the first was settled by A, so its transaction reverts.
        await using var otherStores = await Stores.CreateAsync(postgres);
        using var otherContext = await ChainTestbed.ContextAsync(s.Bed.Options(o => o.MaxBatchSize = 1), s.Bed.Key(OperatorB));
        var otherIdentity = await otherContext.GetIdentityAsync();
        var stored = new List<StoredRequest>();
        foreach (var (r, i) in s.Requests.Select((r, i) => (r, i)))
        {
            await otherStores.Requests.AddIfAbsentAsync(r);
            var request = (await otherStores.Requests.GetAsync(r.Key))!;
            request = await otherStores.Requests.TransitionAsync(request, new RequestTransition.CompleteInference(results[i].Outcome));
            stored.Add(await otherStores.Requests.TransitionAsync(request, new RequestTransition.BeginSubmission()));
        }
        var other = new ResultSubmitter(otherContext, otherStores.Nonces, otherStores.Transactions, TimeProvider.System, Loggers.For<ResultSubmitter>());
        await other.StartAsync(CancellationToken.None);
        var nonceBefore = await s.Bed.Rpc.GetTransactionCountAsync(s.Bed.Key(OperatorB).Address, BlockTag.Pending);
        var receipts = new List<SubmissionReceipt>();
        foreach (var task in results.Select(r => other.SubmitAsync([r])).ToArray()) receipts.Add(await task);
        await other.StopAsync(CancellationToken.None);

        Assert.Equal(nonceBefore + 3, await s.Bed.Rpc.GetTransactionCountAsync(s.Bed.Key(OperatorB).Address, BlockTag.Pending));
        Assert.False((await s.Bed.Owner.WaitForReceiptAsync(receipts[0].TransactionHash, Wait)).Succeeded);
        Assert.True((await s.Bed.Owner.WaitForReceiptAsync(receipts[1].TransactionHash, Wait)).Succeeded);
        for (var i = 0; i < 3; i++) await otherStores.Requests.TransitionAsync(stored[i], new RequestTransition.RecordSubmission(receipts[i].ToRecord()));
        var tracker = new ReceiptTracker(otherContext, otherStores.Transactions, otherStores.Requests, new RecordingScheduler(), TimeProvider.System,
            Loggers.For<ReceiptTracker>());
        await tracker.PollOnceAsync(otherIdentity, CancellationToken.None);
        Assert.Equal(RequestStatus.SettledElsewhere, (await otherStores.Requests.GetAsync(s.Requests[0].Key))!.State.Status);
        Assert.Equal(RequestStatus.Settled, (await otherStores.Requests.GetAsync(s.Requests[1].Key))!.State.Status);
        Assert.Equal(RequestStatus.Settled, (await otherStores.Requests.GetAsync(s.Requests[2].Key))!.State.Status);
    }

    [Fact]
    public async Task The_receipt_tracker_records_the_receipt_and_settles_the_submitted_request()
    {
        await using var s = await SetUpAsync(1);
        var submitter = Submitter(s);
        await submitter.StartAsync(CancellationToken.None);
        var stored = (await s.Stores.Requests.GetAsync(s.Requests[0].Key))!;
        var outcome = InferenceOutcome.Success(Output(9, 9));
        stored = await s.Stores.Requests.TransitionAsync(stored, new RequestTransition.CompleteInference(outcome));
        stored = await s.Stores.Requests.TransitionAsync(stored, new RequestTransition.BeginSubmission());
        var receipt = await submitter.SubmitAsync([new ResultSubmission(stored.Request, outcome)]);
        await submitter.StopAsync(CancellationToken.None);
        await s.Stores.Requests.TransitionAsync(stored, new RequestTransition.RecordSubmission(receipt.ToRecord()));

        var tracker = new ReceiptTracker(s.Context, s.Stores.Transactions, s.Stores.Requests, new RecordingScheduler(), TimeProvider.System,
            Loggers.For<ReceiptTracker>());
        await s.Bed.Owner.WaitForReceiptAsync(receipt.TransactionHash, Wait);
        await tracker.PollOnceAsync(s.Identity, CancellationToken.None);

        var tx = await s.Stores.Transactions.GetAsync(HardhatNode.ChainId, receipt.TransactionHash);
        Assert.Equal(OutboundTransactionStatus.Mined, tx!.Status);
        Assert.NotNull(tx.MinedBlockNumber);
        Assert.Equal(RequestStatus.Settled, (await s.Stores.Requests.GetAsync(s.Requests[0].Key))!.State.Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_receipt_tracker_reads_the_receipts_of_several_transactions_in_one_batch_or_one_call_each_where_batches_are_refused(
        bool endpointRefusesBatches)
    {
        await using var s = await SetUpAsync(3);
        var sent = await SubmitEachAloneAsync(s);
        foreach (var (stored, r) in sent) await s.Stores.Requests.TransitionAsync(stored, new RequestTransition.RecordSubmission(r.ToRecord()));
        Assert.Equal(3, sent.Select(p => Hex.Encode(p.Receipt.TransactionHash)).Distinct().Count());

        using var endpoint = new BatchPolicyHandler(endpointRefusesBatches);
        var (context, tracker) = await TrackerThroughAsync(s, endpoint);
        using var trackerContext = context;
        await tracker.PollOnceAsync(s.Identity, CancellationToken.None);

        foreach (var request in s.Requests) Assert.Equal(RequestStatus.Settled, (await s.Stores.Requests.GetAsync(request.Key))!.State.Status);
        Assert.Equal(1, endpoint.Batches); // refused or served, one batch was sent for the three
        Assert.Equal(endpointRefusesBatches ? 3 : 0, endpoint.SingleReceiptCalls);
    }

    [Fact]
    public async Task Requests_recorded_as_submitted_after_their_receipts_settle_at_the_next_poll_from_one_batch_of_receipts()
    {
        await using var s = await SetUpAsync(3);
        var sent = await SubmitEachAloneAsync(s);

        using var endpoint = new BatchPolicyHandler(refuseBatches: false);
        var (context, tracker) = await TrackerThroughAsync(s, endpoint);
        using var trackerContext = context;
        // The receipts come first (on an automining chain a job records its submission after the broadcast returns):
        // recorded, but the requests are not yet theirs to settle.
        await tracker.PollOnceAsync(s.Identity, CancellationToken.None);
        foreach (var (_, r) in sent) Assert.Equal(OutboundTransactionStatus.Mined, (await s.Stores.Transactions.GetAsync(HardhatNode.ChainId, r.TransactionHash))!.Status);
        foreach (var (stored, _) in sent) Assert.Equal(RequestStatus.Submitting, (await s.Stores.Requests.GetAsync(stored.Key))!.State.Status);

        foreach (var (stored, r) in sent) await s.Stores.Requests.TransitionAsync(stored, new RequestTransition.RecordSubmission(r.ToRecord()));
        var batchesBefore = endpoint.Batches;
        await tracker.PollOnceAsync(s.Identity, CancellationToken.None);
        foreach (var (stored, _) in sent) Assert.Equal(RequestStatus.Settled, (await s.Stores.Requests.GetAsync(stored.Key))!.State.Status);
        Assert.Equal(batchesBefore + 1, endpoint.Batches); // the three receipts in one batch
        Assert.Equal(0, endpoint.SingleReceiptCalls);
    }

    /// <summary>Sends each set-up request's result alone, in a transaction of its own, and waits until all are mined.
    /// Returns each request as stored (Submitting: the submission is not recorded) with its receipt.</summary>
    private async Task<List<(StoredRequest Stored, SubmissionReceipt Receipt)>> SubmitEachAloneAsync(Setup s)
    {
        var submitter = Submitter(s);
        await submitter.StartAsync(CancellationToken.None);
        var sent = new List<(StoredRequest Stored, SubmissionReceipt Receipt)>();
        foreach (var (request, i) in s.Requests.Select((r, i) => (r, i)))
        {
            var stored = (await s.Stores.Requests.GetAsync(request.Key))!;
            var outcome = InferenceOutcome.Success(Output(i, i));
            stored = await s.Stores.Requests.TransitionAsync(stored, new RequestTransition.CompleteInference(outcome));
            stored = await s.Stores.Requests.TransitionAsync(stored, new RequestTransition.BeginSubmission());
            sent.Add((stored, await submitter.SubmitAsync([new ResultSubmission(stored.Request, outcome)])));
        }
        await submitter.StopAsync(CancellationToken.None);
        foreach (var (_, r) in sent) await s.Bed.Owner.WaitForReceiptAsync(r.TransactionHash, Wait);
        return sent;
    }

    /// <summary>A receipt tracker whose JSON-RPC calls go through <paramref name="endpoint"/>; the caller disposes the context.</summary>
    private static async Task<(ChainContext Context, ReceiptTracker Tracker)> TrackerThroughAsync(Setup s, BatchPolicyHandler endpoint)
    {
        var context = new ChainContext(new EthRpcClient(s.Bed.Options().PrimaryRpcUrl, new HttpClient(endpoint)),
            new InMemoryOperatorKeyProvider(s.Bed.Key(OperatorA)), s.Bed.Options());
        await context.InitializeAsync();
        return (context, new ReceiptTracker(context, s.Stores.Transactions, s.Stores.Requests, new RecordingScheduler(), TimeProvider.System,
            Loggers.For<ReceiptTracker>()));
    }

    /// <summary>Passes JSON-RPC calls to the devnet, counting batches and single receipt lookups; refuses batches the way
    /// some hosted endpoints do if told to.</summary>
    private sealed class BatchPolicyHandler(bool refuseBatches) : DelegatingHandler(new SocketsHttpHandler())
    {
        public int Batches;
        public int SingleReceiptCalls;

        /// <summary>Per request the devnet served that carried eth_sendRawTransaction, how many it carried.</summary>
        public readonly System.Collections.Concurrent.ConcurrentQueue<int> ServedRawSends = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            if (body.StartsWith('['))
            {
                Interlocked.Increment(ref Batches);
                if (refuseBatches)
                {
                    return new HttpResponseMessage(System.Net.HttpStatusCode.OK)
                    {
                        Content = new StringContent("""{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch requests are not supported"}}""",
                            System.Text.Encoding.UTF8, "application/json"),
                    };
                }
            }
            else if (body.Contains("eth_getTransactionReceipt", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref SingleReceiptCalls);
            }
            var rawSends = body.Split("\"eth_sendRawTransaction\"").Length - 1;
            if (rawSends > 0) ServedRawSends.Enqueue(rawSends);
            return await base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task The_receipt_tracker_stores_the_gas_a_mined_fulfilBatch_used_as_the_node_reports_it()
    {
        await using var s = await SetUpAsync(3);
        var submitter = Submitter(s);
        await submitter.StartAsync(CancellationToken.None);
        SubmissionReceipt[] receipts;
        try
        {
            var outcome = InferenceOutcome.Success(Output(2, 3));
            var submitted = new List<StoredRequest>();
            foreach (var r in s.Requests)
            {
                var stored = (await s.Stores.Requests.GetAsync(r.Key))!;
                stored = await s.Stores.Requests.TransitionAsync(stored, new RequestTransition.CompleteInference(outcome));
                submitted.Add(await s.Stores.Requests.TransitionAsync(stored, new RequestTransition.BeginSubmission()));
            }
            receipts = await Task.WhenAll(submitted.Select(r => submitter.SubmitAsync([new ResultSubmission(r.Request, outcome)])));
            for (var i = 0; i < submitted.Count; i++)
                await s.Stores.Requests.TransitionAsync(submitted[i], new RequestTransition.RecordSubmission(receipts[i].ToRecord()));
        }
        finally
        {
            await submitter.StopAsync(CancellationToken.None);
        }
        var hash = receipts[0].TransactionHash;
        Assert.All(receipts, r => Assert.Equal(Hex.Encode(hash), Hex.Encode(r.TransactionHash)));
        await s.Bed.Owner.WaitForReceiptAsync(hash, Wait);
        var pending = (await s.Stores.Transactions.GetAsync(HardhatNode.ChainId, hash))!;
        Assert.Null(pending.GasUsed);

        var tracker = new ReceiptTracker(s.Context, s.Stores.Transactions, s.Stores.Requests, new RecordingScheduler(), TimeProvider.System,
            Loggers.For<ReceiptTracker>());
        await tracker.PollOnceAsync(s.Identity, CancellationToken.None);

        // The node's own JSON, read without our receipt decoder: what the chain charged is what we stored.
        var onChain = await s.Bed.Rpc.CallAsync<System.Text.Json.JsonElement>("eth_getTransactionReceipt", [Hex.Encode(hash)]);
        var gasUsed = Quantity.Parse(onChain.GetProperty("gasUsed").GetString()!);
        var price = Quantity.ParseBig(onChain.GetProperty("effectiveGasPrice").GetString()!);
        var tx = (await s.Stores.Transactions.GetAsync(HardhatNode.ChainId, hash))!;
        Assert.Equal(OutboundTransactionStatus.Mined, tx.Status);
        Assert.True(gasUsed > 21_000, $"a fulfilBatch of three used only {gasUsed} gas");
        Assert.Equal(gasUsed, tx.GasUsed);
        Assert.Equal(price, tx.EffectiveGasPrice);
        Assert.Equal(Quantity.Parse(onChain.GetProperty("blockNumber").GetString()!), tx.MinedBlockNumber);

        var listed = await s.Stores.Transactions.ListMinedForRequestsAsync(s.Requests.Select(r => r.Key).ToList());
        Assert.Equal(Hex.Encode(hash), Hex.Encode(Assert.Single(listed).Hash));
        Assert.Equal(3, listed[0].Requests.Count);
        Assert.Equal(gasUsed, listed[0].GasUsed);
    }

    [Fact]
    public async Task A_transaction_left_out_of_BumpAfterBlocks_blocks_is_replaced_before_the_receipt_timeout()
    {
        await using var s = await SetUpAsync(1);
        var submitter = Submitter(s);
        await submitter.StartAsync(CancellationToken.None);
        try
        {
            var receipt = await SubmitWithAutomineOffAsync(s, submitter, InferenceOutcome.Success(Output(6, 1)));
            var options = s.Bed.Options(o =>
            {
                o.ReceiptTimeout = TimeSpan.FromHours(1); // only the block count can trigger the bump here
                o.BumpAfterBlocks = 2;
            });
            using var context = await ChainTestbed.ContextAsync(options, s.Bed.Key(OperatorA));
            var tracker = new ReceiptTracker(context, s.Stores.Transactions, s.Stores.Requests, new RecordingScheduler(), TimeProvider.System,
                Loggers.For<ReceiptTracker>());
            var sent = Assert.Single(await s.Stores.Transactions.ListForRequestAsync(s.Requests[0].Key));

            // Blocks whose base fee is above what the transaction offers leave it out.
            async Task MineWithoutItAsync() =>
                await MineWithBaseFeeAsync(sent.MaxFeePerGas * 4);
            await tracker.PollOnceAsync(s.Identity, CancellationToken.None);
            await MineWithoutItAsync();
            await tracker.PollOnceAsync(s.Identity, CancellationToken.None);
            Assert.Single(await s.Stores.Transactions.ListForRequestAsync(s.Requests[0].Key)); // one block: not yet
            await MineWithoutItAsync();
            await tracker.PollOnceAsync(s.Identity, CancellationToken.None);

            var versions = await s.Stores.Transactions.ListForRequestAsync(s.Requests[0].Key);
            Assert.Equal(2, versions.Count);
            Assert.All(versions, v => Assert.Equal(receipt.Nonce, v.Nonce));
            Assert.True(versions[1].MaxFeePerGas > versions[0].MaxFeePerGas);

            await MineWithBaseFeeAsync(1);
            await tracker.PollOnceAsync(s.Identity, CancellationToken.None);
            Assert.Equal(OutboundTransactionStatus.Replaced, (await s.Stores.Transactions.GetAsync(HardhatNode.ChainId, versions[0].Hash))!.Status);
            Assert.Equal(OutboundTransactionStatus.Mined, (await s.Stores.Transactions.GetAsync(HardhatNode.ChainId, versions[1].Hash))!.Status);
            Assert.Equal(2, await s.Bed.StatusAsync(s.Requests[0].Key.RequestId));
        }
        finally
        {
            await node.RpcAsync("evm_setAutomine", true);
            await submitter.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Takes the first request to Submitting, turns automine off and submits it: the transaction stays pending.</summary>
    private async Task<SubmissionReceipt> SubmitWithAutomineOffAsync(Setup s, ResultSubmitter submitter, InferenceOutcome outcome)
    {
        var stored = (await s.Stores.Requests.GetAsync(s.Requests[0].Key))!;
        stored = await s.Stores.Requests.TransitionAsync(stored, new RequestTransition.CompleteInference(outcome));
        stored = await s.Stores.Requests.TransitionAsync(stored, new RequestTransition.BeginSubmission());
        await node.RpcAsync("evm_setAutomine", false);
        var receipt = await submitter.SubmitAsync([new ResultSubmission(stored.Request, outcome)]);
        await s.Stores.Requests.TransitionAsync(stored, new RequestTransition.RecordSubmission(receipt.ToRecord()));
        return receipt;
    }

    private async Task MineWithBaseFeeAsync(System.Numerics.BigInteger baseFee)
    {
        await node.RpcAsync("hardhat_setNextBlockBaseFeePerGas", "0x" + baseFee.ToString("x", System.Globalization.CultureInfo.InvariantCulture).TrimStart('0'));
        await node.RpcAsync("evm_mine");
    }

    [Fact]
    public async Task A_transaction_stuck_in_the_mempool_is_replaced_with_higher_fees_and_the_request_settles_once()
    {
        await using var s = await SetUpAsync(1);
        var submitter = Submitter(s);
        await submitter.StartAsync(CancellationToken.None);
        try
        {
            var receipt = await SubmitWithAutomineOffAsync(s, submitter, InferenceOutcome.Success(Output(4, 2)));
            var options = s.Bed.Options(o => o.ReceiptTimeout = TimeSpan.FromMilliseconds(200));
            using var context = await ChainTestbed.ContextAsync(options, s.Bed.Key(OperatorA));
            var tracker = new ReceiptTracker(context, s.Stores.Transactions, s.Stores.Requests, new RecordingScheduler(), TimeProvider.System,
                Loggers.For<ReceiptTracker>());

            await Task.Delay(300);
            await tracker.PollOnceAsync(s.Identity, CancellationToken.None);

            var versions = await s.Stores.Transactions.ListForRequestAsync(s.Requests[0].Key);
            Assert.Equal(2, versions.Count);
            Assert.All(versions, v => Assert.Equal(receipt.Nonce, v.Nonce));
            Assert.True(versions[1].MaxFeePerGas * 100 >= versions[0].MaxFeePerGas * 119);
            Assert.True(versions[1].MaxPriorityFeePerGas * 100 >= versions[0].MaxPriorityFeePerGas * 119);

            await node.RpcAsync("evm_mine");
            await tracker.PollOnceAsync(s.Identity, CancellationToken.None);

            var original = await s.Stores.Transactions.GetAsync(HardhatNode.ChainId, versions[0].Hash);
            var bumped = await s.Stores.Transactions.GetAsync(HardhatNode.ChainId, versions[1].Hash);
            Assert.Equal(OutboundTransactionStatus.Replaced, original!.Status);
            Assert.Equal(OutboundTransactionStatus.Mined, bumped!.Status);
            // The gas is the winner's; the replaced version never had a receipt.
            Assert.Equal((await s.Bed.Rpc.GetTransactionReceiptAsync(versions[1].Hash))!.GasUsed, bumped.GasUsed);
            Assert.Null(original.GasUsed);
            Assert.Null(await s.Bed.Rpc.GetTransactionReceiptAsync(versions[0].Hash));
            Assert.Equal(2, await s.Bed.StatusAsync(s.Requests[0].Key.RequestId));
            Assert.Equal(RequestStatus.Settled, (await s.Stores.Requests.GetAsync(s.Requests[0].Key))!.State.Status);
        }
        finally
        {
            await node.RpcAsync("evm_setAutomine", true);
            await submitter.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Above_the_fee_cap_the_submitter_waits_and_sends_once_fees_fall_back()
    {
        await using var s = await SetUpAsync(1);
        var options = s.Bed.Options(o =>
        {
            o.MaxFeePerGasGwei = 5;
            o.PollInterval = TimeSpan.FromMilliseconds(50);
        });
        using var context = await ChainTestbed.ContextAsync(options, s.Bed.Key(OperatorA));
        var metrics = new FeeCapRecorder();
        var submitter = new ResultSubmitter(context, s.Stores.Nonces, s.Stores.Transactions, TimeProvider.System, Loggers.For<ResultSubmitter>(), metrics);
        await submitter.StartAsync(CancellationToken.None);
        try
        {
            await node.RpcAsync("hardhat_setNextBlockBaseFeePerGas", "0x" + (20_000_000_000L).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
            await node.RpcAsync("evm_mine");
            var nonceBefore = await s.Bed.Rpc.GetTransactionCountAsync(s.Identity.Operator, BlockTag.Pending);

            var submission = submitter.SubmitAsync([new ResultSubmission(s.Requests[0], InferenceOutcome.Success(Output(1, 0)))]);
            await Task.Delay(700);
            Assert.False(submission.IsCompleted, "nothing may be sent while the base fee is above the cap");
            Assert.Equal([("submitter", true)], metrics.Changes); // the wait shows in /metrics
            Assert.Equal(nonceBefore, await s.Bed.Rpc.GetTransactionCountAsync(s.Identity.Operator, BlockTag.Pending));

            await node.RpcAsync("hardhat_setNextBlockBaseFeePerGas", "0x3b9aca00"); // 1 gwei
            await node.RpcAsync("evm_mine");
            var receipt = await submission.WaitAsync(TimeSpan.FromSeconds(20));

            var mined = await s.Bed.Owner.WaitForReceiptAsync(receipt.TransactionHash, Wait);
            Assert.True(mined.Succeeded);
            Assert.True(mined.EffectiveGasPrice <= new BigInteger(5_000_000_000));
            Assert.Equal([("submitter", true), ("submitter", false)], metrics.Changes);
            Assert.Equal(2, await s.Bed.StatusAsync(s.Requests[0].Key.RequestId));
        }
        finally
        {
            await submitter.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_nonce_reserved_without_a_stored_transaction_leaves_no_gap_for_the_next_one()
    {
        await using var s = await SetUpAsync(1);
        var flaky = new FailingOnceTransactionStore(s.Stores.Transactions);
        var submitter = new ResultSubmitter(s.Context, s.Stores.Nonces, flaky, TimeProvider.System, Loggers.For<ResultSubmitter>());
        await submitter.StartAsync(CancellationToken.None);
        try
        {
            var result = new ResultSubmission(s.Requests[0], InferenceOutcome.Success(Output(2, 2)));
            await Assert.ThrowsAsync<InvalidOperationException>(() => submitter.SubmitAsync([result]));
            var chainNext = await s.Bed.Rpc.GetTransactionCountAsync(s.Identity.Operator, BlockTag.Pending);
            Assert.Equal(chainNext + 1, await s.Stores.Nonces.PeekAsync(HardhatNode.ChainId, s.Identity.Operator.ToString().ToLowerInvariant()));

            var receipt = await submitter.SubmitAsync([result]);

            Assert.Equal(chainNext, receipt.Nonce);
            Assert.True((await s.Bed.Owner.WaitForReceiptAsync(receipt.TransactionHash, Wait)).Succeeded);
        }
        finally
        {
            await submitter.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>The real store, except that the first write fails (the database went away between reserve and store).</summary>
    private sealed class FailingOnceTransactionStore(IOutboundTransactionStore inner) : IOutboundTransactionStore
    {
        private int _failed;

        public Task<bool> AddAsync(OutboundTransaction transaction, CancellationToken cancellationToken = default) =>
            Interlocked.Exchange(ref _failed, 1) == 0
                ? throw new InvalidOperationException("database unavailable")
                : inner.AddAsync(transaction, cancellationToken);

        public Task<OutboundTransaction?> GetAsync(ulong chainId, byte[] hash, CancellationToken cancellationToken = default) =>
            inner.GetAsync(chainId, hash, cancellationToken);

        public Task<IReadOnlyList<OutboundTransaction>> ListByStatusAsync(ulong chainId, string from, OutboundTransactionStatus status, CancellationToken cancellationToken = default) =>
            inner.ListByStatusAsync(chainId, from, status, cancellationToken);

        public Task<IReadOnlyList<OutboundTransaction>> ListForRequestAsync(RequestKey key, CancellationToken cancellationToken = default) =>
            inner.ListForRequestAsync(key, cancellationToken);

        public Task<IReadOnlyDictionary<RequestKey, IReadOnlyList<OutboundTransaction>>> ListForRequestsAsync(IReadOnlyCollection<RequestKey> keys,
            CancellationToken cancellationToken = default) =>
            inner.ListForRequestsAsync(keys, cancellationToken);

        public Task<bool> SetStatusAsync(ulong chainId, byte[] hash, OutboundTransactionStatus status, ulong? minedBlockNumber, CancellationToken cancellationToken = default) =>
            inner.SetStatusAsync(chainId, hash, status, minedBlockNumber, cancellationToken);

        public Task<bool> RecordReceiptAsync(ulong chainId, byte[] hash, OutboundReceipt receipt, CancellationToken cancellationToken = default) =>
            inner.RecordReceiptAsync(chainId, hash, receipt, cancellationToken);

        public Task<IReadOnlyList<OutboundTransaction>> ListMinedForRequestsAsync(IReadOnlyCollection<RequestKey> keys, CancellationToken cancellationToken = default) =>
            inner.ListMinedForRequestsAsync(keys, cancellationToken);

        public Task<IReadOnlyList<OutboundTransaction>> GetManyAsync(ulong chainId, IReadOnlyCollection<byte[]> hashes, CancellationToken cancellationToken = default) =>
            inner.GetManyAsync(chainId, hashes, cancellationToken);

        public Task<int> RecordReceiptsAsync(ulong chainId, IReadOnlyList<(byte[] Hash, OutboundReceipt Receipt)> receipts,
            CancellationToken cancellationToken = default) =>
            inner.RecordReceiptsAsync(chainId, receipts, cancellationToken);
    }
}

/// <summary>Records fee-cap waits and the operator's standing; every other metric goes nowhere.</summary>
internal sealed class FeeCapRecorder : Core.Ports.IOracleMetrics
{
    private readonly List<(string, bool)> _changes = [];
    private readonly List<bool> _standing = [];

    public IReadOnlyList<bool> OperatorStanding
    {
        get
        {
            lock (_standing) return _standing.ToArray();
        }
    }

    public void OperatorActive(bool active)
    {
        lock (_standing) _standing.Add(active);
    }

    public IReadOnlyList<(string Component, bool Waiting)> Changes
    {
        get
        {
            lock (_changes) return _changes.ToArray();
        }
    }

    public void FeeCapWaiting(string component, bool waiting)
    {
        lock (_changes) _changes.Add((component, waiting));
    }

    public void RequestsDiscovered(int count = 1) { }

    public void InferenceCompleted(string modelId, TimeSpan duration, Core.Models.FailureReason? failure) { }

    public void RequestsSubmitted(int count = 1) { }

    public void SubmissionMined(ulong gasUsed, bool succeeded) { }

    public void RequestSettled(TimeSpan? latency = null) { }

    public void RequestFailed(string reason) { }

    public void ListenerLag(ulong blocks) { }

    public void RpcError(string method) { }

    public void Reorg() { }

    public void FeeBump() { }
}
