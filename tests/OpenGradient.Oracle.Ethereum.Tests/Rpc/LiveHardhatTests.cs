using System.Numerics;
using OpenGradient.Oracle.Ethereum.Abi;
using OpenGradient.Oracle.Ethereum.Primitives;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.Ethereum.Tests.Abi.Generated;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Ethereum.Tests.Rpc;

/// <summary>
/// The RPC client and the ABI code against a real Hardhat node. Transactions go through eth_sendTransaction from the
/// node's unlocked accounts (signing lives elsewhere).
/// </summary>
[Trait("Category", "Live")]
public sealed class LiveHardhatTests(HardhatNode node) : IClassFixture<HardhatNode>
{
    private const string PingerAbi = """
        [
          {"type":"event","name":"Pinged","anonymous":false,"inputs":[
            {"name":"from","type":"address","indexed":true},{"name":"value","type":"uint256","indexed":false}]},
          {"type":"error","name":"Denied","inputs":[{"name":"who","type":"address"},{"name":"reason","type":"string"}]}
        ]
        """;

    private static readonly ContractAbi Abi = ContractAbi.Parse(PingerAbi);

    /// <summary>
    /// Hand-assembled: empty calldata emits <c>Pinged(msg.sender, msg.value)</c>; any other calldata reverts with the
    /// calldata itself as revert data, so a test chooses the exact revert payload.
    /// </summary>
    private static byte[] PingerRuntime() =>
    [
        0x36, 0x15, 0x60, 0x0f, 0x57,             // if (calldatasize == 0) goto emit
        0x36, 0x60, 0x00, 0x60, 0x00, 0x37,       // calldatacopy(0, 0, calldatasize)
        0x36, 0x60, 0x00, 0xfd,                   // revert(0, calldatasize)
        0x5b, 0x34, 0x60, 0x00, 0x52,             // emit: mstore(0, callvalue)
        0x33, 0x7f, .. Abi.GetEvent("Pinged").Topic0, // caller, topic0
        0x60, 0x20, 0x60, 0x00, 0xa2, 0x00,       // log2(0, 32, topic0, caller); stop
    ];

    private static byte[] PingerCreation()
    {
        var runtime = PingerRuntime();
        var length = (byte)runtime.Length;
        // codecopy(0, 12, length); return(0, length)
        return [0x60, length, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, length, 0x60, 0x00, 0xf3, .. runtime];
    }

    private EthRpcClient Client() => new(node.Url, timeout: TimeSpan.FromSeconds(10));

    private Address Account(int i) => Address.Parse(node.Accounts[i].Address);

    private async Task<Address> DeployAsync(EthRpcClient client, Address from)
    {
        var hash = await client.SendTransactionAsync(new TransactionRequest { From = from, Data = PingerCreation() });
        var receipt = await client.GetTransactionReceiptAsync(hash);
        Assert.NotNull(receipt);
        Assert.True(receipt.Succeeded);
        return receipt.ContractAddress ?? throw new InvalidOperationException("no contract address");
    }

    [Fact]
    public async Task Chain_id_block_number_and_the_latest_block_header_are_read()
    {
        using var client = Client();
        Assert.Equal(HardhatNode.ChainId, await client.ChainIdAsync());
        var number = await client.BlockNumberAsync();
        var block = await client.GetBlockByNumberAsync(BlockTag.Latest);
        Assert.NotNull(block);
        Assert.True(block.Number >= number);
        Assert.Equal(32, block.Hash.Length);
        Assert.Equal(32, block.ParentHash.Length);
        Assert.NotNull(block.BaseFeePerGas);
        Assert.True(block.Timestamp > 1_600_000_000);
        Assert.Null(await client.GetBlockByNumberAsync(block.Number + 1000));
        Assert.Equal(20, node.Accounts.Count);
        Assert.True(await client.GetBalanceAsync(Account(19)) > BigInteger.Zero);
        Assert.True(await client.GasPriceAsync() > BigInteger.Zero);
        Assert.True(await client.MaxPriorityFeePerGasAsync() >= BigInteger.Zero);
        var fees = await client.FeeHistoryAsync(1, BlockTag.Latest, [50]);
        Assert.Equal(2, fees.BaseFeePerGas.Count);
    }

    [Fact]
    public async Task A_deployed_contract_emits_a_log_that_decodes_from_the_receipt_and_from_getLogs()
    {
        using var client = Client();
        var from = Account(1);
        var contract = await DeployAsync(client, from);
        Assert.Equal(PingerRuntime(), await client.GetCodeAsync(contract));
        var nonce = await client.GetTransactionCountAsync(from, BlockTag.Pending);

        var gas = await client.EstimateGasAsync(new TransactionRequest { From = from, To = contract, Value = 12345 });
        var hash = await client.SendTransactionAsync(new TransactionRequest { From = from, To = contract, Value = 12345, Gas = gas * 2 });
        var receipt = await client.GetTransactionReceiptAsync(hash);

        Assert.NotNull(receipt);
        Assert.True(receipt.Succeeded);
        Assert.Equal(hash, receipt.TransactionHash);
        Assert.True(receipt.GasUsed > 21_000);
        Assert.True(receipt.EffectiveGasPrice > BigInteger.Zero);
        Assert.Equal(nonce + 1, await client.GetTransactionCountAsync(from));
        var log = Assert.Single(receipt.Logs);
        var fromReceipt = Abi.DecodeLog(log.Topics, log.Data);
        Assert.NotNull(fromReceipt);
        Assert.Equal("Pinged", fromReceipt.Name);
        Assert.Equal(from, fromReceipt["from"]);
        Assert.Equal(new BigInteger(12345), fromReceipt["value"]);

        var logs = await client.GetLogsAsync(new LogFilter
        {
            Addresses = [contract],
            Topics = [[Abi.GetEvent("Pinged").Topic0], [AbiEncoder.Encode(AbiType.Address, from)]],
            FromBlock = receipt.BlockNumber,
            ToBlock = receipt.BlockNumber,
        });
        var found = Assert.Single(logs);
        Assert.Equal(receipt.BlockHash, found.BlockHash);
        Assert.Equal(hash, found.TransactionHash);
        Assert.Equal(new BigInteger(12345), Abi.DecodeLog(found.Topics, found.Data)!["value"]);
    }

    [Fact]
    public async Task A_reverting_call_surfaces_the_revert_data_as_a_decodable_custom_error()
    {
        using var client = Client();
        var from = Account(2);
        var contract = await DeployAsync(client, from);
        var revert = Abi.GetError("Denied").Encode(from, "not today");

        var e = await Assert.ThrowsAsync<ContractRevertException>(() =>
            client.EthCallAsync(new TransactionRequest { From = from, To = contract, Data = revert }, BlockTag.Latest));
        Assert.Equal(revert, e.RevertData);
        var reason = e.Decode(Abi);
        Assert.Equal(RevertKind.Custom, reason.Kind);
        Assert.Equal("Denied", reason.Name);
        Assert.Equal("not today", reason.Arguments[1]);

        var estimate = await Assert.ThrowsAsync<ContractRevertException>(() =>
            client.EstimateGasAsync(new TransactionRequest { From = from, To = contract, Data = AbiError.ErrorString.Encode("nope") }));
        Assert.Equal(("nope", RevertKind.ErrorString), (estimate.Decode().Arguments[0], estimate.Decode().Kind));
    }

    [Fact]
    public async Task A_reverting_transaction_sent_through_the_node_surfaces_as_a_revert_with_its_data()
    {
        // Hardhat mines the failed transaction and answers eth_sendTransaction with the revert; a real node would
        // return the hash and a receipt with status 0 instead.
        using var client = Client();
        var from = Account(3);
        var contract = await DeployAsync(client, from);
        var revert = Abi.GetError("Denied").Encode(from, "no");
        var e = await Assert.ThrowsAsync<ContractRevertException>(() =>
            client.SendTransactionAsync(new TransactionRequest { From = from, To = contract, Data = revert, Gas = 100_000 }));
        Assert.Equal(revert, e.RevertData);
        Assert.Equal("Denied", e.Decode(Abi).Name);
    }

    [Fact]
    public async Task Generated_bindings_drive_a_solc_compiled_contract_end_to_end()
    {
        // Abi/Fixtures/Probe.sol compiled by `hardhat build`; bindings generated from its artifact.
        using var client = Client();
        var from = Account(4);
        var deploy = await client.SendTransactionAsync(new TransactionRequest { From = from, Data = ProbeContract.Bytecode() });
        var probe = (await client.GetTransactionReceiptAsync(deploy))!.ContractAddress!.Value;
        byte[][] tags = [Enumerable.Repeat((byte)1, 32).ToArray(), Enumerable.Repeat((byte)2, 32).ToArray()];
        var item = new ProbeContract.Item(7, tags);

        var returned = await client.EthCallAsync(new TransactionRequest { From = from, To = probe, Data = ProbeContract.EncodeStore(item) });
        Assert.Equal(BigInteger.One, ProbeContract.DecodeStoreOutput(returned));

        var hash = await client.SendTransactionAsync(new TransactionRequest { From = from, To = probe, Data = ProbeContract.EncodeStore(item) });
        var log = Assert.Single((await client.GetTransactionReceiptAsync(hash))!.Logs);
        Assert.True(ProbeContract.IsStoredEvent(log.Topics));
        var stored = ProbeContract.DecodeStoredEvent(log.Topics, log.Data);
        Assert.Equal((new BigInteger(7), from), (stored.Id, stored.By));
        Assert.Equal(tags, stored.Item.Tags);

        var e = await Assert.ThrowsAsync<ContractRevertException>(() =>
            client.EthCallAsync(new TransactionRequest { From = from, To = probe, Data = ProbeContract.EncodeStore(new ProbeContract.Item(1001, [])) }));
        Assert.Equal(new ProbeContract.ProbeTooBigError(1001, 1000), ProbeContract.DecodeError(e.RevertData));
    }

    [Fact]
    public async Task An_unknown_method_is_an_rpc_error_not_a_revert()
    {
        using var client = Client();
        var e = await Assert.ThrowsAsync<RpcErrorException>(() => client.CallRawAsync("eth_noSuchMethod", []));
        Assert.IsNotType<ContractRevertException>(e);
        Assert.NotEqual(0, e.Code);
    }

    [Fact]
    public async Task The_fixture_controls_the_devnet_through_raw_rpc()
    {
        using var client = Client();
        var before = await client.BlockNumberAsync();
        await node.RpcAsync("evm_mine");
        Assert.True(await client.BlockNumberAsync() > before);
    }

    [Fact]
    public async Task A_batch_answers_in_request_order()
    {
        using var client = Client();
        var answers = await client.BatchAsync([new RpcRequest("eth_chainId"), new RpcRequest("eth_noSuchMethod"), new RpcRequest("eth_blockNumber")]);
        Assert.Equal("0x7a69", answers[0].GetResultOrThrow().GetString());
        Assert.NotNull(answers[1].Error);
        Assert.StartsWith("0x", answers[2].GetResultOrThrow().GetString(), StringComparison.Ordinal);
    }
}
