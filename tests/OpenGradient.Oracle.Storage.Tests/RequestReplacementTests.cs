using System.Numerics;
using System.Security.Cryptography;
using OpenGradient.Oracle.Core.Models;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;

namespace OpenGradient.Oracle.Storage.Tests;

/// <summary>A deep reorg gave a stored request id to a different request: the orphaned one is archived, the
/// replacement takes the key.</summary>
public sealed class RequestReplacementTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private readonly NpgsqlRequestStore _store = new(db.DataSource, TimeProvider.System);
    private readonly NpgsqlOutboundTransactionStore _transactions = new(db.DataSource, TimeProvider.System);

    private async Task<StoredRequest> OrphanedAfterInferenceAsync(InferenceRequest request)
    {
        Assert.True(await _store.AddIfAbsentAsync(request));
        var s = (await _store.GetAsync(request.Key))!;
        s = await _store.TransitionAsync(s, new RequestTransition.BeginInference());
        s = await _store.TransitionAsync(s, new RequestTransition.CompleteInference(InferenceOutcome.Success([9, 9, 9])));
        return await _store.TransitionAsync(s, new RequestTransition.Orphan("reorg: log vanished"));
    }

    [Fact]
    public async Task The_replacement_is_stored_Discovered_under_the_same_key_and_the_orphaned_request_stays_readable()
    {
        var key = SampleRequests.Key(requestId: 7);
        var orphaned = await OrphanedAfterInferenceAsync(SampleRequests.Request(key));
        var replacement = SampleRequests.Request(key);

        var stored = await _store.ReplaceOrphanedAsync(orphaned, replacement);

        Assert.Equal(RequestStatus.Discovered, stored.State.Status);
        Assert.Equal(orphaned.Version + 1, stored.Version);
        var reread = (await _store.GetAsync(key))!;
        Assert.Equal(RequestStatus.Discovered, reread.State.Status);
        Assert.Null(reread.State.Outcome);
        Assert.Equal(stored.Version, reread.Version);
        Assert.Equal(replacement.Input, reread.Request.Input);
        Assert.Equal(replacement.Request.InputHash, reread.Request.Request.InputHash);
        Assert.Equal(replacement.Log.TransactionHash, reread.Request.Log.TransactionHash);
        Assert.Contains(Convert.ToHexStringLower(orphaned.Request.Log.TransactionHash), reread.State.Detail, StringComparison.Ordinal);

        var history = await _store.ListSupersededAsync(key);
        var archived = Assert.Single(history);
        Assert.Equal(RequestStatus.Orphaned, archived.State.Status);
        Assert.Equal("reorg: log vanished", archived.State.Detail);
        Assert.Equal([9, 9, 9], archived.State.Outcome!.Output);
        Assert.Equal(orphaned.Version, archived.Version);
        Assert.Equal(orphaned.Request.Input, archived.Request.Input);
        Assert.Equal(orphaned.Request.Log.TransactionHash, archived.Request.Log.TransactionHash);

        // The replacement lives on like any request.
        var next = await _store.TransitionAsync(reread, new RequestTransition.BeginInference());
        Assert.Equal(RequestStatus.Inferring, next.State.Status);
    }

    [Fact]
    public async Task A_key_replaced_twice_keeps_both_earlier_requests_in_order()
    {
        var key = SampleRequests.Key(requestId: 8);
        var first = await OrphanedAfterInferenceAsync(SampleRequests.Request(key));
        var second = await _store.ReplaceOrphanedAsync(first, SampleRequests.Request(key));
        second = await _store.TransitionAsync(second, new RequestTransition.Orphan("reorg again"));
        var third = SampleRequests.Request(key);
        await _store.ReplaceOrphanedAsync(second, third);

        var history = await _store.ListSupersededAsync(key);
        Assert.Equal(2, history.Count);
        Assert.Equal(first.Request.Log.TransactionHash, history[0].Request.Log.TransactionHash);
        Assert.Equal(second.Request.Log.TransactionHash, history[1].Request.Log.TransactionHash);
        Assert.Equal(third.Log.TransactionHash, (await _store.GetAsync(key))!.Request.Log.TransactionHash);
    }

    [Fact]
    public async Task A_stale_orphaned_version_is_refused_and_nothing_is_archived()
    {
        var key = SampleRequests.Key(requestId: 9);
        var orphaned = await OrphanedAfterInferenceAsync(SampleRequests.Request(key));
        var winner = await _store.ReplaceOrphanedAsync(orphaned, SampleRequests.Request(key));

        // A second listener (or a retry) still holding the orphaned version loses: exactly one replacement per orphan.
        await Assert.ThrowsAsync<StaleRequestStateException>(() => _store.ReplaceOrphanedAsync(orphaned, SampleRequests.Request(key)));
        Assert.Single(await _store.ListSupersededAsync(key));
        Assert.Equal(winner.Request.Log.TransactionHash, (await _store.GetAsync(key))!.Request.Log.TransactionHash);

        // A job still holding the orphaned version cannot move the replacement either.
        await Assert.ThrowsAsync<InvalidRequestTransitionException>(() =>
            _store.TransitionAsync(orphaned, new RequestTransition.BeginInference()));
        var stale = orphaned with { State = RequestState.Restore(RequestStatus.Discovered, null, null, null) };
        await Assert.ThrowsAsync<StaleRequestStateException>(() => _store.TransitionAsync(stale, new RequestTransition.BeginInference()));
    }

    [Fact]
    public async Task Parallel_replacements_of_one_orphan_store_exactly_one()
    {
        var key = SampleRequests.Key(requestId: 10);
        var orphaned = await OrphanedAfterInferenceAsync(SampleRequests.Request(key));
        var attempts = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            try
            {
                await _store.ReplaceOrphanedAsync(orphaned, SampleRequests.Request(key));
                return true;
            }
            catch (StaleRequestStateException)
            {
                return false;
            }
        })));

        Assert.Equal(1, attempts.Count(a => a));
        Assert.Single(await _store.ListSupersededAsync(key));
    }

    [Fact]
    public async Task Only_a_terminal_request_with_the_same_key_can_be_replaced()
    {
        var request = SampleRequests.Request(SampleRequests.Key(requestId: 11));
        await _store.AddIfAbsentAsync(request);
        var live = (await _store.GetAsync(request.Key))!;

        await Assert.ThrowsAsync<ArgumentException>(() => _store.ReplaceOrphanedAsync(live, SampleRequests.Request(request.Key)));
        var orphaned = await _store.TransitionAsync(live, new RequestTransition.Orphan("reorg"));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ReplaceOrphanedAsync(orphaned, SampleRequests.Request(SampleRequests.Key(requestId: 12))));
        Assert.Equal(RequestStatus.Orphaned, (await _store.GetAsync(request.Key))!.State.Status);
        Assert.Empty(await _store.ListSupersededAsync(request.Key));
    }

    [Fact]
    public async Task A_transaction_that_carried_the_orphaned_request_is_not_the_replacements()
    {
        var key = SampleRequests.Key(requestId: 13);
        var orphanedRequest = SampleRequests.Request(key);
        await _store.AddIfAbsentAsync(orphanedRequest);
        var carriedOrphan = Transaction(key);
        Assert.True(await _transactions.AddAsync(carriedOrphan));
        Assert.Single(await _transactions.ListForRequestAsync(key));

        var orphaned = await _store.TransitionAsync((await _store.GetAsync(key))!, new RequestTransition.Orphan("reorg"));
        await _store.ReplaceOrphanedAsync(orphaned, SampleRequests.Request(key));

        // The submitter's "already sent for this request?" check must not see the orphan's transaction...
        Assert.Empty(await _transactions.ListForRequestAsync(key));
        // ...but it is still stored, with the request it carried, for receipts and audits.
        var kept = await _transactions.GetAsync(carriedOrphan.ChainId, carriedOrphan.Hash);
        Assert.Equal([key], kept!.Requests);

        var carriedReplacement = Transaction(key);
        Assert.True(await _transactions.AddAsync(carriedReplacement));
        var forReplacement = Assert.Single(await _transactions.ListForRequestAsync(key));
        Assert.Equal(carriedReplacement.Hash, forReplacement.Hash);
    }

    [Fact]
    public async Task Non_terminal_requests_are_listed_from_a_block_of_one_oracle()
    {
        var oracle = SampleRequests.RandomAddress();
        InferenceRequest At(BigInteger id, ulong block)
        {
            var r = SampleRequests.Request(SampleRequests.Key(oracle: oracle, requestId: id));
            return r with { Log = r.Log with { BlockNumber = block } };
        }
        foreach (var r in new[] { At(1, 100), At(2, 101), At(3, 102), At(4, 103) }) await _store.AddIfAbsentAsync(r);
        var elsewhere = SampleRequests.Request(SampleRequests.Key(requestId: 5)); // another oracle, same blocks
        await _store.AddIfAbsentAsync(elsewhere with { Log = elsewhere.Log with { BlockNumber = 102 } });
        var settledElsewhere = (await _store.GetAsync(SampleRequests.Key(oracle: oracle, requestId: 3)))!;
        await _store.TransitionAsync(settledElsewhere, new RequestTransition.ObserveSettledElsewhere("cancelled"));

        var open = await _store.ListNonTerminalFromBlockAsync(31337, oracle, 101, 10);

        Assert.Equal([2, 4], open.Select(s => (int)s.Key.RequestId));
        Assert.Single(await _store.ListNonTerminalFromBlockAsync(31337, oracle, 101, 1));
        Assert.Empty(await _store.ListNonTerminalFromBlockAsync(1, oracle, 0, 10));
    }

    private static OutboundTransaction Transaction(RequestKey key) => new(
        key.ChainId, SampleRequests.RandomAddress(), key.Oracle, 1, SampleRequests.Hash(), RandomNumberGenerator.GetBytes(120),
        BigInteger.Pow(10, 12), 2_000_000_000, 500_000, OutboundTransactionStatus.Pending, [key], DateTimeOffset.UtcNow);
}
