using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace OpenGradient.Oracle.Worker.Tests;

/// <summary>With Dashboard:Auth set, every page needs the credentials (loopback too); the health probes stay open.</summary>
[Collection(NodeCollection.Name)]
public sealed class DashboardAuthTests(NodeInfrastructure infrastructure) : IAsyncLifetime
{
    private StartedNode _node = null!;

    public async Task InitializeAsync() => _node = await infrastructure.StartNodeAsync(config =>
        config.Section("Dashboard")["Auth"] = new Dictionary<string, object?> { ["Username"] = "ops", ["Password"] = "s3cret:with-colon" });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/api/requests")]
    [InlineData("/metrics")]
    [InlineData("/hangfire")]
    public async Task Pages_refuse_a_caller_without_credentials(string path)
    {
        using var response = await _node.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Basic", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_refuse_a_wrong_password()
    {
        using var request = Get("/", "ops", "wrong");
        using var response = await _node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/hangfire")]
    [InlineData("/metrics")]
    public async Task Pages_answer_the_configured_credentials(string path)
    {
        using var request = Get(path, "ops", "s3cret:with-colon");
        using var response = await _node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Health_probes_need_no_credentials()
    {
        using var response = await _node.Http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static HttpRequestMessage Get(string path, string user, string password) => new(HttpMethod.Get, path)
    {
        Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password))) },
    };
}
