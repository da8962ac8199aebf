using System.Numerics;
using OpenGradient.Oracle.Core.Ports;
using OpenGradient.Oracle.Core.Requests;
using OpenGradient.Oracle.Storage.Tests;
using OpenGradient.Oracle.Worker.Dashboard;

namespace OpenGradient.Oracle.Worker.Tests;

public sealed class StatusPageTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("1", "0")]
    [InlineData("1000000000000", "0.000001")]
    [InlineData("1500000000000000000", "1.5")]
    [InlineData("10000000000000000000000", "10000")]
    [InlineData("123456789123456789123", "123.456789")]
    [InlineData("-2500000000000000000", "-2.5")]
    public void Ether_truncates_wei_to_six_decimals(string wei, string expected) =>
        Assert.Equal(expected, StatusPage.Ether(BigInteger.Parse(wei, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("0", "0")]
    [InlineData("999999", "0")]
    [InlineData("1000000", "0.001")]
    [InlineData("1875000000", "1.875")]
    [InlineData("30000000000", "30")]
    public void Gwei_truncates_wei_to_three_decimals(string wei, string expected) =>
        Assert.Equal(expected, StatusPage.Gwei(BigInteger.Parse(wei, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void A_request_in_a_batch_is_shown_its_rounded_share_of_the_gas_and_the_batch_size()
    {
        var key = SampleRequests.Key();
        var (stored, tx) = Submitted(key, 7, 150_002, SampleRequests.Key(oracle: key.Oracle, requestId: 2), SampleRequests.Key(oracle: key.Oracle, requestId: 3));

        var gas = RequestGas.For(stored, [tx])!;

        Assert.Equal((50_001UL, 150_002UL, 3), (gas.PerRequest, gas.TransactionGasUsed, gas.BatchSize));
        Assert.Equal("1875000000", gas.EffectiveGasPriceWei);
        var cell = StatusPage.GasCell(gas);
        Assert.Contains(">50,001</span>", cell, StringComparison.Ordinal);
        Assert.Contains("1/3 of 150,002", cell, StringComparison.Ordinal);
        Assert.Contains("batch of 3 requests", cell, StringComparison.Ordinal);
        Assert.Contains("at 1.875 gwei", cell, StringComparison.Ordinal);
        Assert.DoesNotContain("reverted", cell, StringComparison.Ordinal);
    }

    [Fact]
    public void Gas_comes_from_the_mined_fee_bumped_sibling_and_is_a_dash_while_nothing_is_mined()
    {
        var key = SampleRequests.Key();
        var (stored, submitted) = Submitted(key, 4, 60_000);
        var bumped = submitted with { Hash = SampleRequests.Hash(), GasUsed = 61_000, Status = OutboundTransactionStatus.Reverted };
        var otherNonce = submitted with { Hash = SampleRequests.Hash(), Nonce = 3, GasUsed = 99_000 };
        var pending = submitted with { GasUsed = null, Status = OutboundTransactionStatus.Pending };

        var gas = RequestGas.For(stored, [otherNonce, bumped])!;
        Assert.Equal(61_000UL, gas.PerRequest);
        Assert.Equal(RequestView.Hex(bumped.Hash), gas.TransactionHash);
        Assert.Contains("<small class=\"bad\">reverted</small>", StatusPage.GasCell(gas), StringComparison.Ordinal);

        Assert.Null(RequestGas.For(stored, [otherNonce, pending]));
        Assert.Equal("<span class=\"muted\" title=\"not mined yet\">—</span>", StatusPage.GasCell(null));
        // Not yet submitted: no transaction is its, whatever carries the same request id elsewhere.
        var discovered = stored with { State = RequestState.Restore(RequestStatus.Discovered, null, null, null) };
        Assert.Null(RequestGas.For(discovered, [submitted]));
    }

    /// <summary>A request Submitted in a mined transaction (nonce <paramref name="nonce"/>) that also carries <paramref name="others"/>.</summary>
    private static (StoredRequest, OutboundTransaction) Submitted(RequestKey key, ulong nonce, ulong gasUsed, params RequestKey[] others)
    {
        var hash = SampleRequests.Hash();
        var state = RequestState.Restore(RequestStatus.Submitted, InferenceOutcome.Success([1, 2]), new SubmissionRecord(hash, nonce), null);
        var stored = new StoredRequest(SampleRequests.Request(key), state, 4, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var tx = new OutboundTransaction(key.ChainId, SampleRequests.RandomAddress(), key.Oracle, nonce, hash, [2], 10, 1, 500_000,
            OutboundTransactionStatus.Mined, [key, .. others], DateTimeOffset.UnixEpoch, 100, gasUsed, 1_875_000_000);
        return (stored, tx);
    }
}
