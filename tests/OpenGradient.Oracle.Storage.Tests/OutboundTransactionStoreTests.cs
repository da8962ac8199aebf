using System.Numerics;
using System.Security.Cryptography;
using OpenGradient.Oracle.Core.Ports;

namespace OpenGradient.Oracle.Storage.Tests;

public sealed class OutboundTransactionStoreTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private readonly NpgsqlOutboundTransactionStore _store = new(db.DataSource, TimeProvider.System);

    private static OutboundTransaction Sample(ulong nonce, params Core.Requests.RequestKey[] keys) => new(
        31337, SampleRequests.RandomAddress(), keys.Length > 0 ? keys[0].Oracle : SampleRequests.RandomAddress(), nonce,
        SampleRequests.Hash(), RandomNumberGenerator.GetBytes(120), BigInteger.Pow(10, 30), 2_000_000_000, 500_000,
        OutboundTransactionStatus.Pending, keys, DateTimeOffset.UnixEpoch.AddSeconds(1_700_000_000));

    [Fact]
    public async Task A_transaction_and_its_requests_round_trip()
    {
        var oracle = SampleRequests.RandomAddress();
        var keys = new[] { SampleRequests.Key(oracle: oracle, requestId: 2), SampleRequests.Key(oracle: oracle, requestId: BigInteger.Pow(2, 255)) };
        var tx = Sample(9, keys);

        Assert.True(await _store.AddAsync(tx));
        Assert.False(await _store.AddAsync(tx));
        var read = (await _store.GetAsync(tx.ChainId, tx.Hash))!;

        Assert.Equal(tx.From, read.From);
        Assert.Equal(tx.To, read.To);
        Assert.Equal(9UL, read.Nonce);
        Assert.Equal(tx.RawTransaction, read.RawTransaction);
        Assert.Equal(tx.MaxFeePerGas, read.MaxFeePerGas);
        Assert.Equal(tx.MaxPriorityFeePerGas, read.MaxPriorityFeePerGas);
        Assert.Equal(tx.GasLimit, read.GasLimit);
        Assert.Equal(tx.CreatedAt, read.CreatedAt);
        Assert.Equal(OutboundTransactionStatus.Pending, read.Status);
        Assert.Equal(keys.OrderBy(k => k.RequestId), read.Requests.OrderBy(k => k.RequestId));
    }

    [Fact]
    public async Task Transactions_are_found_by_request_and_by_status()
    {
        var key = SampleRequests.Key();
        var first = Sample(1, key);
        var bump = first with { Hash = SampleRequests.Hash(), MaxFeePerGas = first.MaxFeePerGas * 2 };
        await _store.AddAsync(first);
        await _store.AddAsync(bump);

        Assert.Equal(2, (await _store.ListForRequestAsync(key)).Count);
        Assert.True(await _store.SetStatusAsync(first.ChainId, first.Hash, OutboundTransactionStatus.Replaced, null));
        Assert.True(await _store.SetStatusAsync(bump.ChainId, bump.Hash, OutboundTransactionStatus.Mined, 1234));
        Assert.False(await _store.SetStatusAsync(bump.ChainId, SampleRequests.Hash(), OutboundTransactionStatus.Mined, 1));

        var mined = await _store.ListByStatusAsync(first.ChainId, first.From, OutboundTransactionStatus.Mined);
        Assert.Equal(bump.Hash, Assert.Single(mined).Hash);
        Assert.Equal(1234UL, mined[0].MinedBlockNumber);
        Assert.Empty(await _store.ListByStatusAsync(first.ChainId, first.From, OutboundTransactionStatus.Pending));
        Assert.Empty(await _store.ListForRequestAsync(SampleRequests.Key()));
    }

    [Fact]
    public async Task Transactions_are_found_for_several_requests_at_once_each_under_every_request_it_carried()
    {
        var oracle = SampleRequests.RandomAddress();
        var (a, b, none) = (SampleRequests.Key(oracle: oracle, requestId: 1), SampleRequests.Key(oracle: oracle, requestId: 2),
            SampleRequests.Key(oracle: oracle, requestId: 3));
        var both = Sample(1, a, b);
        var bOnly = Sample(2, b) with { CreatedAt = both.CreatedAt.AddSeconds(5) };
        Assert.True(await _store.AddAsync(bOnly));
        Assert.True(await _store.AddAsync(both));

        var found = await _store.ListForRequestsAsync([a, b, none, b]);

        Assert.Equal(3, found.Count);
        Assert.Equal(both.Hash, Assert.Single(found[a]).Hash);
        Assert.Equal([both.Hash, bOnly.Hash], found[b].Select(t => t.Hash)); // oldest first
        Assert.Equal([a, b], found[b][0].Requests.OrderBy(k => k.RequestId));
        Assert.Empty(found[none]);
        Assert.Empty(await _store.ListForRequestsAsync([]));
    }

    [Fact]
    public async Task Gas_of_a_receipt_round_trips_and_leaves_with_a_status_that_is_no_longer_mined()
    {
        var tx = Sample(3, SampleRequests.Key());
        await _store.AddAsync(tx);
        var pending = (await _store.GetAsync(tx.ChainId, tx.Hash))!;
        Assert.Null(pending.GasUsed);
        Assert.Null(pending.EffectiveGasPrice);

        // A price above 2^64 wei and gas above 2^32: the columns hold what a receipt can say.
        var price = BigInteger.Pow(10, 21) + 7;
        Assert.True(await _store.RecordReceiptAsync(tx.ChainId, tx.Hash, new OutboundReceipt(777, Succeeded: true, 5_000_000_123, price)));
        var mined = (await _store.GetAsync(tx.ChainId, tx.Hash))!;
        Assert.Equal(OutboundTransactionStatus.Mined, mined.Status);
        Assert.Equal(777UL, mined.MinedBlockNumber);
        Assert.Equal(5_000_000_123UL, mined.GasUsed);
        Assert.Equal(price, mined.EffectiveGasPrice);

        Assert.True(await _store.RecordReceiptAsync(tx.ChainId, tx.Hash, new OutboundReceipt(778, Succeeded: false, 21_000, 1)));
        var reverted = (await _store.GetAsync(tx.ChainId, tx.Hash))!;
        Assert.Equal(OutboundTransactionStatus.Reverted, reverted.Status);
        Assert.Equal((778UL, 21_000UL, BigInteger.One), (reverted.MinedBlockNumber!.Value, reverted.GasUsed!.Value, reverted.EffectiveGasPrice!.Value));

        // Still mined (a status rewrite without a receipt) keeps the gas; replaced (e.g. after a reorg) clears it.
        Assert.True(await _store.SetStatusAsync(tx.ChainId, tx.Hash, OutboundTransactionStatus.Mined, 778));
        Assert.Equal(21_000UL, (await _store.GetAsync(tx.ChainId, tx.Hash))!.GasUsed);
        Assert.True(await _store.SetStatusAsync(tx.ChainId, tx.Hash, OutboundTransactionStatus.Replaced, null));
        var replaced = (await _store.GetAsync(tx.ChainId, tx.Hash))!;
        Assert.Null(replaced.GasUsed);
        Assert.Null(replaced.EffectiveGasPrice);

        Assert.False(await _store.RecordReceiptAsync(tx.ChainId, SampleRequests.Hash(), new OutboundReceipt(1, true, 1, 1)));
    }

    [Fact]
    public async Task Receipts_of_several_transactions_are_recorded_at_once_and_several_transactions_read_at_once()
    {
        var (a, b, untouched) = (Sample(20, SampleRequests.Key()), Sample(21, SampleRequests.Key()), Sample(22, SampleRequests.Key()));
        foreach (var tx in new[] { a, b, untouched }) await _store.AddAsync(tx);
        var price = BigInteger.Pow(10, 21) + 9;

        // One receipt names a transaction that is not stored: it is left out of the count.
        var recorded = await _store.RecordReceiptsAsync(a.ChainId, [
            (a.Hash, new OutboundReceipt(900, Succeeded: true, 5_000_000_123, price)),
            (b.Hash, new OutboundReceipt(901, Succeeded: false, 21_000, 3)),
            (SampleRequests.Hash(), new OutboundReceipt(902, true, 1, 1)),
        ]);
        Assert.Equal(2, recorded);
        Assert.Equal(0, await _store.RecordReceiptsAsync(a.ChainId, []));

        var read = (await _store.GetManyAsync(a.ChainId, [a.Hash, b.Hash, untouched.Hash, SampleRequests.Hash()]))
            .ToDictionary(t => Convert.ToHexString(t.Hash));
        Assert.Equal(3, read.Count);
        var (ra, rb, ru) = (read[Convert.ToHexString(a.Hash)], read[Convert.ToHexString(b.Hash)], read[Convert.ToHexString(untouched.Hash)]);
        Assert.Equal((OutboundTransactionStatus.Mined, 900UL, 5_000_000_123UL, price), (ra.Status, ra.MinedBlockNumber!.Value, ra.GasUsed!.Value, ra.EffectiveGasPrice!.Value));
        Assert.Equal((OutboundTransactionStatus.Reverted, 901UL, 21_000UL, new BigInteger(3)), (rb.Status, rb.MinedBlockNumber!.Value, rb.GasUsed!.Value, rb.EffectiveGasPrice!.Value));
        Assert.Equal(OutboundTransactionStatus.Pending, ru.Status);
        Assert.Null(ru.GasUsed);
        Assert.Equal(a.Requests, ra.Requests);
        Assert.Empty(await _store.GetManyAsync(a.ChainId, []));
        // Another chain's id finds nothing.
        Assert.Empty(await _store.GetManyAsync(a.ChainId + 1, [a.Hash]));
    }

    [Fact]
    public async Task A_transaction_added_with_gas_keeps_it()
    {
        var tx = Sample(4, SampleRequests.Key()) with
        {
            Status = OutboundTransactionStatus.Mined, MinedBlockNumber = 12, GasUsed = 61_234, EffectiveGasPrice = 1_875_000_000,
        };
        await _store.AddAsync(tx);
        var read = (await _store.GetAsync(tx.ChainId, tx.Hash))!;
        Assert.Equal(61_234UL, read.GasUsed);
        Assert.Equal(new BigInteger(1_875_000_000), read.EffectiveGasPrice);
    }

    [Fact]
    public async Task Mined_transactions_are_listed_for_a_page_of_requests()
    {
        var oracle = SampleRequests.RandomAddress();
        var big = SampleRequests.Key(oracle: oracle, requestId: BigInteger.Pow(2, 255) + 1);
        var batched = SampleRequests.Key(oracle: oracle, requestId: 5);
        var alone = SampleRequests.Key(oracle: SampleRequests.RandomAddress(), requestId: 5);
        var unmined = SampleRequests.Key(oracle: oracle, requestId: 6);
        var otherChain = SampleRequests.Key(chainId: 1, oracle: oracle, requestId: 5);

        var batch = Sample(10, big, batched, SampleRequests.Key(oracle: oracle, requestId: 99));
        var single = Sample(11, alone);
        var pending = Sample(12, unmined);
        var stale = Sample(13, batched);
        foreach (var t in new[] { batch, single, pending, stale }) await _store.AddAsync(t);
        await _store.RecordReceiptAsync(batch.ChainId, batch.Hash, new OutboundReceipt(50, true, 150_000, 2));
        await _store.RecordReceiptAsync(single.ChainId, single.Hash, new OutboundReceipt(51, false, 40_000, 3));
        await _store.SetStatusAsync(stale.ChainId, stale.Hash, OutboundTransactionStatus.Dropped, null);

        var listed = await _store.ListMinedForRequestsAsync([big, batched, alone, unmined, otherChain]);

        Assert.Equal([batch.Hash, single.Hash], listed.Select(t => t.Hash));
        Assert.Equal(3, listed[0].Requests.Count);
        Assert.Equal(150_000UL, listed[0].GasUsed);
        Assert.Equal(OutboundTransactionStatus.Reverted, listed[1].Status);
        Assert.Empty(await _store.ListMinedForRequestsAsync([unmined, otherChain]));
        Assert.Empty(await _store.ListMinedForRequestsAsync([]));
    }
}
