using System.CommandLine;
using System.Numerics;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Core.Models;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Tests;

public sealed class ParsingTests
{
    [Theory]
    [InlineData("1000", "1000")]
    [InlineData("1eth", "1000000000000000000")]
    [InlineData("1.5 ETH", "1500000000000000000")]
    [InlineData("20gwei", "20000000000")]
    [InlineData("0.0000000001gwei", "0")]
    [InlineData("0.000000001gwei", "1")]
    [InlineData("1_000wei", "1000")]
    public void Wei_amounts_take_an_optional_unit(string text, string wei)
    {
        if (wei == "0")
        {
            Assert.False(WeiAmount.TryParse(text, out _, out var problem));
            Assert.Equal("smaller than 1 wei", problem);
            return;
        }
        Assert.Equal(BigInteger.Parse(wei, System.Globalization.CultureInfo.InvariantCulture), WeiAmount.Parse(text, "--x"));
    }

    [Theory]
    [InlineData("1.5", "a decimal amount needs a unit")]
    [InlineData("eth", "not an amount")]
    [InlineData("-1", "not an amount")]
    public void Ambiguous_amounts_are_refused(string text, string problem)
    {
        var e = Assert.Throws<CliException>(() => WeiAmount.Parse(text, "--stake"));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.5", 4, 5000)]
    [InlineData("-1.2345", 4, -12345)]
    [InlineData("100", 4, 1000000)]
    [InlineData("1e-4", 4, 1)]
    [InlineData("-128", 0, -128)]
    public void Real_units_convert_exactly(string text, int decimals, long q)
    {
        Assert.True(FixedPointText.TryParse(text, decimals, out var parsed));
        Assert.Equal(q, (long)parsed);
        Assert.Equal(q, (long)(FixedPointText.TryParse(FixedPointText.Format(q, decimals), decimals, out var back) ? back : -999));
    }

    [Fact]
    public void More_decimals_than_the_model_has_are_never_rounded() =>
        Assert.False(FixedPointText.TryParse("0.00005", 4, out _));

    [Fact]
    public void Outputs_print_in_real_units() =>
        Assert.Equal("0.562176,1,0", TensorText.Real([562176, 1_000_000, 0], new TensorSpec(ElementType.Int32, 6, 0, 1_000_000, [1, 3])));

    [Fact]
    public void Raw_inputs_are_taken_as_on_chain_integers()
    {
        var spec = new TensorSpec(ElementType.Int8, 0, -128, 127, [1, 3]);
        Assert.Equal([-128, 0, 127], TensorText.Parse("-128, 0 127", spec, raw: true, checkRange: true));
        var e = Assert.Throws<CliException>(() => TensorText.Parse("0,0,128", spec, raw: true, checkRange: false));
        Assert.Contains("does not fit the input element type Int8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_command_has_a_description_and_every_option_has_help_text()
    {
        var root = OgOracleCli.Build(new CliContext(TextWriter.Null, AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) })));
        var commands = new List<Command>();
        void Walk(Command c)
        {
            commands.Add(c);
            foreach (var sub in c.Subcommands) Walk(sub);
        }
        Walk(root);
        Assert.Contains(commands, c => c.Name == "sample-dapp");
        foreach (var command in commands)
        {
            Assert.False(string.IsNullOrWhiteSpace(command.Description), $"{command.Name} has no description");
            foreach (var option in command.Options)
                Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{command.Name} {option.Name} has no description");
        }
    }

    [Theory]
    [InlineData("deploy")]
    [InlineData("model register")]
    [InlineData("request")]
    [InlineData("sample-dapp")]
    public async Task Help_exits_0(string command)
    {
        var result = await CliRunner.RunAsync([.. command.Split(' '), "--help"]);
        Assert.Equal(0, result.ExitCode);
    }
}
