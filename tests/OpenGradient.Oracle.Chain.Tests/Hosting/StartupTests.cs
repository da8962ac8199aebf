using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenGradient.Oracle.Chain.Hosting;
using OpenGradient.Oracle.Chain.Operator;
using OpenGradient.Oracle.Ethereum.Crypto;
using OpenGradient.Oracle.Ethereum.Keystore;
using OpenGradient.Oracle.Ethereum.Rpc;
using OpenGradient.Oracle.TestSupport;

namespace OpenGradient.Oracle.Chain.Tests.Hosting;

public sealed class ChainOptionsTests
{
    private static ChainOptions Valid()
    {
        var o = new ChainOptions { OracleAddress = "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
        o.RpcUrls.Add("http://127.0.0.1:8545");
        return o;
    }

    [Fact]
    public void Defaults_with_an_rpc_url_and_an_oracle_are_valid() =>
        Assert.True(new ChainOptionsValidator().Validate(null, Valid()).Succeeded);

    [Fact]
    public void Each_wrong_setting_is_reported_with_its_key()
    {
        var o = new ChainOptions { OracleAddress = "not an address", Confirmations = -1, MaxBlockRange = 0, MaxBatchSize = 0, PollInterval = TimeSpan.Zero };
        o.RpcUrls.Add("ws://127.0.0.1:8545");

        var failures = new ChainOptionsValidator().Validate(null, o).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Chain:RpcUrls:0 is 'ws://127.0.0.1:8545'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Chain:OracleAddress is 'not an address'", StringComparison.Ordinal));
        Assert.Contains("Chain:Confirmations is -1; use 0..10000", failures);
        Assert.Contains("Chain:MaxBlockRange is 0; use at least 1", failures);
        Assert.Contains("Chain:MaxBatchSize is 0; use 1..256", failures);
        Assert.Contains(failures, f => f.StartsWith("Chain:PollInterval must be a positive time span", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_rpc_list_names_the_key()
    {
        var o = Valid();
        o.RpcUrls.Clear();
        Assert.Contains(new ChainOptionsValidator().Validate(null, o).Failures!, f => f.StartsWith("Chain:RpcUrls is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void The_chain_section_binds_from_configuration_keys()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chain:RpcUrls:0"] = "http://127.0.0.1:1",
            ["Chain:RpcUrls:1"] = "http://127.0.0.1:2",
            ["Chain:ChainId"] = "31337",
            ["Chain:OracleAddress"] = "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            ["Chain:StartBlock"] = "12",
            ["Chain:Confirmations"] = "3",
            ["Chain:BatchWindow"] = "00:00:00.250",
            ["Chain:MaxFeePerGasGwei"] = "1.5",
        });
        builder.Services.AddSingleton<IOperatorKeyProvider>(new InMemoryOperatorKeyProvider(PrivateKey.Generate()));
        builder.AddOracleChain();
        using var provider = builder.Services.BuildServiceProvider();

        var o = provider.GetRequiredService<IOptions<ChainOptions>>().Value;

        Assert.Equal(["http://127.0.0.1:1", "http://127.0.0.1:2"], o.RpcUrls);
        Assert.Equal(31337UL, o.ChainId);
        Assert.Equal(12UL, o.StartBlock);
        Assert.Equal(3, o.Confirmations);
        Assert.Equal(TimeSpan.FromMilliseconds(250), o.BatchWindow);
        Assert.Equal(new System.Numerics.BigInteger(1_500_000_000), o.MaxFeePerGasWei);
    }
}

public sealed class OperatorKeyTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "og-key-" + Guid.NewGuid().ToString("N")[..8]);

    public OperatorKeyTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private (OperatorOptions Options, PrivateKey Key) Keystore(string password)
    {
        var key = PrivateKey.Generate();
        var path = Path.Combine(_directory, "operator.json");
        File.WriteAllText(path, KeystoreV3.Encrypt(key, password, new KeystoreOptions { ScryptN = 1 << 10 }));
        return (new OperatorOptions { KeystorePath = path }, key);
    }

    [Fact]
    public void The_keystore_is_unlocked_with_the_password_file()
    {
        var (options, key) = Keystore("s3cret");
        options.PasswordFile = Path.Combine(_directory, "password");
        File.WriteAllText(options.PasswordFile, "s3cret\n");

        Assert.Equal(key.Address, new KeystoreOperatorKeyProvider(Options.Create(options)).Address);
    }

    [Fact]
    public void The_keystore_is_unlocked_with_the_password_variable()
    {
        var (options, key) = Keystore("from-env");
        options.PasswordEnvironmentVariable = "OG_TEST_PASSWORD_" + Guid.NewGuid().ToString("N")[..6];
        Environment.SetEnvironmentVariable(options.PasswordEnvironmentVariable, "from-env");
        try
        {
            Assert.Equal(key.Address, new KeystoreOperatorKeyProvider(Options.Create(options)).Address);
        }
        finally
        {
            Environment.SetEnvironmentVariable(options.PasswordEnvironmentVariable, null);
        }
    }

    [Fact]
    public void A_wrong_password_is_a_clear_error()
    {
        var (options, _) = Keystore("right");
        options.PasswordFile = Path.Combine(_directory, "password");
        File.WriteAllText(options.PasswordFile, "wrong");

        var e = Assert.Throws<OperatorKeyException>(() => new KeystoreOperatorKeyProvider(Options.Create(options)).Key);
        Assert.StartsWith($"the password does not unlock {options.KeystorePath}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_keystore_names_the_setting()
    {
        var options = new OperatorOptions { KeystorePath = Path.Combine(_directory, "nope.json") };
        var e = Assert.Throws<OperatorKeyException>(() => new KeystoreOperatorKeyProvider(Options.Create(options)).Key);
        Assert.Equal($"Operator:KeystorePath '{options.KeystorePath}' does not exist", e.Message);
    }

    [Fact]
    public void No_password_anywhere_names_both_sources()
    {
        var (options, _) = Keystore("x");
        options.PasswordEnvironmentVariable = "OG_TEST_UNSET_" + Guid.NewGuid().ToString("N")[..6];
        var e = Assert.Throws<OperatorKeyException>(() => new KeystoreOperatorKeyProvider(Options.Create(options)).Key);
        Assert.Contains("Operator:PasswordFile", e.Message, StringComparison.Ordinal);
        Assert.Contains(options.PasswordEnvironmentVariable, e.Message, StringComparison.Ordinal);
    }
}

public sealed class ChainStartupTests(HardhatNode node) : IClassFixture<HardhatNode>
{
    [Fact]
    public async Task A_chain_id_other_than_the_configured_one_stops_the_start_with_both_ids()
    {
        using var bed = await Support.ChainTestbed.DeployAsync(node);
        var options = bed.Options(o => o.ChainId = 1);
        using var context = new ChainContext(new EthRpcClient(options.PrimaryRpcUrl), new InMemoryOperatorKeyProvider(PrivateKey.Generate()), options);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => context.InitializeAsync());

        Assert.StartsWith("Chain:ChainId is 1 but the node at", e.Message, StringComparison.Ordinal);
        Assert.Contains("serves chain 31337", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oracle_address_without_code_is_detected()
    {
        using var bed = await Support.ChainTestbed.DeployAsync(node);
        var wrong = bed.Options(o => o.OracleAddress = "0x000000000000000000000000000000000000dEaD");
        using var wrongContext = new ChainContext(new EthRpcClient(wrong.PrimaryRpcUrl), new InMemoryOperatorKeyProvider(PrivateKey.Generate()), wrong);
        var right = bed.Options();
        using var rightContext = new ChainContext(new EthRpcClient(right.PrimaryRpcUrl), new InMemoryOperatorKeyProvider(PrivateKey.Generate()), right);

        Assert.False(await wrongContext.OracleHasCodeAsync());
        Assert.True(await rightContext.OracleHasCodeAsync());
    }

    [Fact]
    public async Task Without_a_configured_chain_id_the_nodes_is_used()
    {
        using var bed = await Support.ChainTestbed.DeployAsync(node);
        var options = bed.Options(o => o.ChainId = null);
        using var context = new ChainContext(new EthRpcClient(options.PrimaryRpcUrl), new InMemoryOperatorKeyProvider(PrivateKey.Generate()), options);

        Assert.Equal(HardhatNode.ChainId, (await context.InitializeAsync()).ChainId);
    }

    [Fact]
    public async Task Rpc_calls_fail_over_past_a_refusing_endpoint_and_a_rate_limited_one()
    {
        using var bed = await Support.ChainTestbed.DeployAsync(node);
        var closedPort = FreePort();
        using var limited = new System.Net.HttpListener();
        var limitedPort = FreePort();
        limited.Prefixes.Add($"http://127.0.0.1:{limitedPort}/");
        limited.Start();
        var hits = 0;
        _ = Task.Run(async () =>
        {
            while (limited.IsListening)
            {
                System.Net.HttpListenerContext request;
                try
                {
                    request = await limited.GetContextAsync();
                }
                catch (System.Net.HttpListenerException)
                {
                    return;
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                Interlocked.Increment(ref hits);
                request.Response.StatusCode = 429;
                request.Response.Close();
            }
        });
        var options = bed.Options(o =>
        {
            o.RpcUrls.Clear();
            o.RpcUrls.Add($"http://127.0.0.1:{closedPort}/");
            o.RpcUrls.Add($"http://127.0.0.1:{limitedPort}/");
            o.RpcUrls.Add(node.Url.ToString());
        });
        using var context = ChainContext.Create(options, new InMemoryOperatorKeyProvider(PrivateKey.Generate()), Support.Loggers.For<ChainStartupTests>());

        var identity = await context.InitializeAsync();
        var block = await context.Rpc.BlockNumberAsync();

        Assert.Equal(HardhatNode.ChainId, identity.ChainId);
        Assert.True(block > 0);
        Assert.Equal(1, hits); // the first call moved past it; later calls stay on the endpoint that answered
        limited.Stop();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
