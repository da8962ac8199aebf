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
}
