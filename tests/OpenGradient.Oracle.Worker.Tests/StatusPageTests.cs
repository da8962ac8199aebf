using System.Numerics;
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
}
