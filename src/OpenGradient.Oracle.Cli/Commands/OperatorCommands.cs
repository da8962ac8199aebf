using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenGradient.Oracle.Chain.Generated;
using OpenGradient.Oracle.Chain.Transactions;
using OpenGradient.Oracle.Cli.Infrastructure;
using OpenGradient.Oracle.Cli.OnChain;
using OpenGradient.Oracle.Ethereum.Primitives;
using Spectre.Console;

namespace OpenGradient.Oracle.Cli.Commands;

/// <summary><c>og-oracle operator register|stake|unbond|withdraw|withdraw-fees|show</c>: the operator's stake and earnings.</summary>
internal static class OperatorCommands
{
    public static Command Build(CliContext context)
    {
        var op = new Command("operator", "Register an operator key with stake, add stake, unbond, withdraw, and inspect an operator.");

        var stake = new Option<string>("--stake") { Description = $"Stake sent with the registration: {WeiAmount.Syntax}.", Required = true };
        op.Subcommands.Add(Transaction(context, "register", "Register the keystore's account as an operator, staking --stake (at least the registry's minimum).",
            stake, parse => (OperatorRegistryContract.EncodeRegister(), WeiAmount.Parse(parse.GetValue(stake)!, "--stake")), toOracle: false));

        var amount = new Option<string>("--amount") { Description = $"Stake to add: {WeiAmount.Syntax}.", Required = true };
        op.Subcommands.Add(Transaction(context, "stake", "Add --amount to the operator's stake.",
            amount, parse => (OperatorRegistryContract.EncodeAddStake(), WeiAmount.Parse(parse.GetValue(amount)!, "--amount")), toOracle: false));

        op.Subcommands.Add(Transaction(context, "unbond", "Request unbonding: the operator is inactive at once and may withdraw its stake after the unbonding delay.",
            null, _ => (OperatorRegistryContract.EncodeRequestUnbond(), BigInteger.Zero), toOracle: false));

        op.Subcommands.Add(Transaction(context, "withdraw", "Withdraw the whole stake once the unbonding delay is over.",
            null, _ => (OperatorRegistryContract.EncodeWithdrawStake(), BigInteger.Zero), toOracle: false));

        op.Subcommands.Add(Transaction(context, "withdraw-fees", "Withdraw the fees (and refunds) the oracle credited to this account.",
            null, _ => (InferenceOracleContract.EncodeWithdraw(), BigInteger.Zero), toOracle: true));

        op.Subcommands.Add(BuildShow(context));
        return op;
    }

    private static Command Transaction(CliContext context, string name, string description, Option<string>? valueOption,
        Func<ParseResult, (byte[] Data, BigInteger Value)> encode, bool toOracle)
    {
        var command = new Command(name, description + " Prints the operator's state as JSON afterwards (like `operator show`).");
        ChainOptions.AddTo(command);
        KeyLoader.AddTo(command);
        if (valueOption is not null) command.Options.Add(valueOption);
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            var (data, value) = encode(parse);
            var key = KeyLoader.Load(parse, context.Console);
            using var session = await ChainSession.OpenAsync(context, parse, withDeployment: true, cancellationToken);
            var to = toOracle ? session.Deployment.InferenceOracle : session.Deployment.OperatorRegistry;
            await session.SendAsync(session.Sender(key), name, new TransactionCall(to, data, value), cancellationToken);
            await WriteStateAsync(context, session, key.Address, cancellationToken);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command BuildShow(CliContext context)
    {
        var command = new Command("show",
            "Print an operator's registration, stake, unbonding time, activity and credited fees as JSON (no password needed).");
        var address = new Option<string?>("--address") { Description = "The operator's address. Default: the address of --keystore (or OG_ORACLE_KEYSTORE)." };
        ChainOptions.AddTo(command);
        command.Options.Add(address);
        command.Options.Add(KeyLoader.KeystoreOption);
        command.SetAction((parse, cancellationToken) => context.RunAsync(async () =>
        {
            var who = parse.GetValue(address) is { } text
                ? ParseAddress(text, "--address")
                : KeyLoader.AddressOf(parse);
            using var session = await ChainSession.OpenAsync(context, parse, withDeployment: true, cancellationToken);
            await WriteStateAsync(context, session, who, cancellationToken);
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static Address ParseAddress(string text, string option)
    {
        try
        {
            return Address.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CliException($"{option} {text} is not an address", ExitCodes.Usage, "an address is 0x followed by 40 hex digits", e);
        }
    }

    private static async Task WriteStateAsync(CliContext context, ChainSession session, Address who, CancellationToken cancellationToken)
    {
        var registry = session.Deployment.OperatorRegistry;
        var info = OperatorRegistryContract.DecodeOperatorInfoOutput(await session.CallAsync(registry, OperatorRegistryContract.EncodeOperatorInfo(who), cancellationToken));
        var active = OperatorRegistryContract.DecodeIsActiveOutput(await session.CallAsync(registry, OperatorRegistryContract.EncodeIsActive(who), cancellationToken));
        var minStake = OperatorRegistryContract.DecodeMinStakeOutput(await session.CallAsync(registry, OperatorRegistryContract.EncodeMinStake(), cancellationToken));
        var credited = InferenceOracleContract.DecodeBalanceOfOutput(
            await session.CallAsync(session.Deployment.InferenceOracle, InferenceOracleContract.EncodeBalanceOf(who), cancellationToken));
        var balance = await session.GetBalanceAsync(who, cancellationToken);
        var unbondingAt = (ulong)info.UnbondingAt;
        var json = new JsonObject
        {
            ["address"] = who.ToString(),
            ["registered"] = info.Registered,
            ["active"] = active,
            ["stakeWei"] = info.Stake.ToString(CultureInfo.InvariantCulture),
            ["minStakeWei"] = minStake.ToString(CultureInfo.InvariantCulture),
            ["unbondingAt"] = unbondingAt == 0 ? null : DateTimeOffset.FromUnixTimeSeconds((long)unbondingAt).ToString("O", CultureInfo.InvariantCulture),
            ["creditedFeesWei"] = credited.ToString(CultureInfo.InvariantCulture),
            ["balanceWei"] = balance.ToString(CultureInfo.InvariantCulture),
        };
        var state = !info.Registered ? "[yellow]not registered[/]" : active ? "[green]active[/]" : unbondingAt != 0 ? "[yellow]unbonding[/]" : "[yellow]inactive (stake below minimum)[/]";
        context.Console.MarkupLine($"operator {who}: {state}, stake {Markup.Escape(WeiAmount.Format(info.Stake))}");
        await context.Out.WriteLineAsync(json.ToJsonString(CliJson.Options));
    }
}
