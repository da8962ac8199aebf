namespace OpenGradient.Oracle.Worker.Tests;

/// <summary>Bad configuration stops the node before it serves anything, with a message naming the setting.</summary>
public sealed class ConfigurationTests : IDisposable
{
    // Nothing listens on port 1: a host that got past validation would fail differently (and later).
    private readonly NodeConfig _config = new("Host=127.0.0.1;Port=1;Username=postgres;Database=oracle;Timeout=2", new Uri("http://127.0.0.1:1"));

    public void Dispose() => _config.Dispose();

    [Fact]
    public async Task A_non_loopback_dashboard_url_without_auth_is_refused()
    {
        _config.Section("Dashboard")["Urls"] = "http://0.0.0.0:5080";

        var e = await StartFailsAsync();

        Assert.Contains("Dashboard:Urls binds a non-loopback address (http://0.0.0.0:5080)", e.Message, StringComparison.Ordinal);
        Assert.Contains("Dashboard:AllowRemote", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://*:5080")]
    [InlineData("http://+:5080")]
    [InlineData("http://[::]:5080")]
    [InlineData("http://node.example:5080")]
    public async Task Every_wildcard_and_remote_host_counts_as_non_loopback(string url)
    {
        _config.Section("Dashboard")["Urls"] = "http://127.0.0.1:5080;" + url;
        var e = await StartFailsAsync();
        Assert.Contains($"non-loopback address ({url})", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:0")]
    [InlineData("http://[::1]:0;http://127.0.0.2:0")]
    public void Loopback_urls_need_no_credentials(string urls)
    {
        _config.Section("Dashboard")["Urls"] = urls;
        var app = OracleNodeHost.Build(_config.HostOptions());
        ((IDisposable)app).Dispose();
    }

    [Fact]
    public async Task Allowing_remote_access_without_credentials_is_refused()
    {
        _config.Section("Dashboard")["Urls"] = "http://0.0.0.0:5080";
        _config.Section("Dashboard")["AllowRemote"] = true;

        var e = await StartFailsAsync();

        Assert.Contains("Dashboard:AllowRemote is true but Dashboard:Auth:Username and Dashboard:Auth:Password are not both set", e.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Remote_access_with_credentials_builds()
    {
        _config.Section("Dashboard")["Urls"] = "http://0.0.0.0:5080";
        _config.Section("Dashboard")["AllowRemote"] = true;
        _config.Section("Dashboard")["Auth"] = new Dictionary<string, object?> { ["Username"] = "ops", ["Password"] = "pw" };

        // Built only: tests never bind a non-loopback address.
        var app = OracleNodeHost.Build(_config.HostOptions());
        Assert.NotNull(app);
        ((IDisposable)app).Dispose();
    }

    [Fact]
    public async Task A_missing_oracle_address_is_named()
    {
        _config.Section("Chain").Remove("OracleAddress");
        var e = await StartFailsAsync();
        Assert.Contains("Chain:OracleAddress", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_rpc_url_is_named()
    {
        _config.Section("Chain")["RpcUrls"] = new[] { "localhost8545" };
        var e = await StartFailsAsync();
        Assert.Contains("Chain:RpcUrls", e.Message, StringComparison.Ordinal);
        Assert.Contains("localhost8545", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_connection_string_is_named()
    {
        _config.Settings.Remove("ConnectionStrings");
        var e = await StartFailsAsync();
        Assert.Contains("ConnectionStrings:Oracle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_log_level_is_named()
    {
        ((Dictionary<string, object?>)_config.Section("Logging")["LogLevel"]!)["Default"] = "Loud";
        var e = await StartFailsAsync();
        Assert.Contains("Logging:LogLevel:Default is 'Loud'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        _config.Section("Chain").Remove("OracleAddress");
        _config.Section("Jobs")["WorkerCount"] = 0;
        var e = await StartFailsAsync();
        Assert.Contains("Chain:OracleAddress", e.Message, StringComparison.Ordinal);
        Assert.Contains("Jobs:WorkerCount", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_config_file_is_named()
    {
        var path = Path.Combine(_config.Folder, "absent.json");
        var e = await Assert.ThrowsAsync<OracleNodeConfigurationException>(() =>
            OracleNodeHost.StartAsync(new OracleNodeHostOptions { ConfigFilePath = path, ReadEnvironmentVariables = false }));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_file_that_is_not_json_is_named()
    {
        var path = Path.Combine(_config.Folder, "broken.json");
        await File.WriteAllTextAsync(path, "{ \"Chain\": ");
        var e = await Assert.ThrowsAsync<OracleNodeConfigurationException>(() =>
            OracleNodeHost.StartAsync(new OracleNodeHostOptions { ConfigFilePath = path, ReadEnvironmentVariables = false }));
        Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overrides_win_over_the_file()
    {
        var options = new OracleNodeHostOptions
        {
            ConfigFilePath = _config.Write(),
            ReadEnvironmentVariables = false,
            ConfigurationOverrides = { ["Dashboard:Urls"] = "http://10.1.2.3:5080" },
        };
        var e = await Assert.ThrowsAsync<OracleNodeConfigurationException>(() => OracleNodeHost.StartAsync(options));
        Assert.Contains("http://10.1.2.3:5080", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_variables_with_the_prefix_override_the_file()
    {
        // A key no other test sets; the other tests do not read the environment.
        const string variable = "OG_ORACLE__Dashboard__RecentRequests";
        Environment.SetEnvironmentVariable(variable, "0");
        try
        {
            var options = new OracleNodeHostOptions { ConfigFilePath = _config.Write() };
            var e = await Assert.ThrowsAsync<OracleNodeConfigurationException>(() => OracleNodeHost.StartAsync(options));
            Assert.Contains("Dashboard:RecentRequests is 0", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    private Task<OracleNodeConfigurationException> StartFailsAsync() =>
        Assert.ThrowsAsync<OracleNodeConfigurationException>(() => OracleNodeHost.StartAsync(_config.HostOptions()));
}
